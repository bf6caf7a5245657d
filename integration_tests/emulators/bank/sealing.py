"""The bank's probative copies: real PAdES-signed PDFs, sealed at test time with pyHanko.

Qonto documents `probative_attachment` as "another version of attachment, compliant with the
PAdES standard" (API reference, Attachments: https://docs.qonto.com/api-reference/business-api/
expense-management/attachments/show-attachment; the OpenAPI file's attachment schema: status,
file_name, file_content_type, file_size (a string), url). tonoid/qonto-backup (src/attachments.ts)
downloads `probative_attachment.url` when `status` is `available` and files it as `-probative`.
What Qonto's seal looks like inside (signer, certificate chain, timestamp) is not documented: the
emulator seals with a self-signed test certificate made once per process, as a PAdES B-B
signature (ETSI.CAdES.detached), which is what the connectors and the seal check rely on.

Fault bodies (``Attachment.probative_fault``): "gate" (the sandbox's login page, served 200 as
HTML), "truncated" (the sealed file cut short, as a store that lost its tail), "unsigned" (a
plain PDF without signature).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from io import BytesIO

SEAL_NAME = "Emulated Bank Seal (test certificate)"
FAULTS = ("gate", "truncated", "unsigned")
# The sandbox's login gate page (same as emulator.py; https://docs.qonto.com/get-started/general/sandbox-access)
GATE_PAGE = (b"<!DOCTYPE html><html><head><title>Qonto</title>"
             b'<meta http-equiv="refresh" content="0; url=https://qonto.onelogin.com/login">'
             b"</head><body>Redirecting to https://qonto.onelogin.com/login</body></html>")

_lock = threading.Lock()
_signer = None


def plain_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), with a correct cross-reference table."""
    safe = text.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 72 720 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _make_signer():  # type: ignore[no-untyped-def]
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, SEAL_NAME), cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "Emulated Bank")])
    now = datetime.now(timezone.utc)
    cert = (
        cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(cx509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(cx509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    signing_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    signing_key = keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return signers.SimpleSigner(signing_cert=signing_cert, signing_key=signing_key, cert_registry=SimpleCertificateStore.from_certs([signing_cert]))


def signer():  # type: ignore[no-untyped-def]
    """One test seal per process (an RSA key takes a moment to make)."""
    global _signer
    with _lock:
        if _signer is None:
            _signer = _make_signer()
        return _signer


def sealed_pdf(text: str) -> bytes:
    """A PDF showing ``text``, sealed PAdES B-B by the emulated bank."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(BytesIO(plain_pdf(text)))
    meta = signers.PdfSignatureMetadata(field_name="BankSeal", subfilter=fields.SigSeedSubFilter.PADES, reason="Probative copy")
    return signers.sign_pdf(writer, meta, signer=signer()).getvalue()


def fault_body(fault: str, sealed: bytes, text: str) -> bytes:
    """What a faulty probative URL serves instead of the sealed copy."""
    if fault == "truncated":
        return sealed[: len(sealed) * 3 // 5]
    if fault == "unsigned":
        return plain_pdf(text)
    raise ValueError(f"probative fault must be one of {FAULTS}")
