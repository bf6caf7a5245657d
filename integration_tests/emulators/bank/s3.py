"""Presigned download URLs in the S3 style, pointing back at the emulator (``/_s3/...``).

A URL carries its signing time and lifetime; it stops working once the emulator clock passes
X-Amz-Date + X-Amz-Expires, with the XML error S3 gives for an expired request.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

PREFIX = "/_s3/"
_KEY = b"emulated-s3-signing-key"


def _signature(attachment_id: str, amz_date: str, expires: int, variant: str = "") -> str:
    # The variant is signed too: an original's URL does not open its sealed copy.
    message = f"{attachment_id}\n{amz_date}\n{expires}{chr(10) + variant if variant else ''}".encode()
    return hmac.new(_KEY, message, hashlib.sha256).hexdigest()


def amz_date(epoch_s: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(epoch_s)))


def presign(base_url: str, attachment_id: str, file_name: str, now_s: float, ttl_s: int, variant: str = "") -> str:
    date = amz_date(now_s)
    query = urlencode({
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"EMULATEDKEY/{date[:8]}/eu-central-1/s3/aws4_request",
        "X-Amz-Date": date,
        "X-Amz-Expires": str(ttl_s),
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": _signature(attachment_id, date, ttl_s, variant),
    })
    key = f"{attachment_id}/{variant}" if variant else attachment_id
    return f"{base_url}{PREFIX}{key}/{quote(file_name, safe='')}?{query}"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""
    message: str = ""


def check(attachment_id: str, query: dict[str, list[str]], now_s: float, variant: str = "") -> Verdict:
    """Is this presigned request valid at emulator time ``now_s``?"""
    def one(name: str) -> str:
        return (query.get(name) or [""])[0]

    date, expires, signature = one("X-Amz-Date"), one("X-Amz-Expires"), one("X-Amz-Signature")
    try:
        signed_at = calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
        ttl = int(expires)
    except ValueError:
        return Verdict(False, "AuthorizationQueryParametersError",
                       "Query-string authentication requires X-Amz-Date and X-Amz-Expires")
    if not hmac.compare_digest(signature, _signature(attachment_id, date, ttl, variant)):
        return Verdict(False, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you provided.")
    if now_s > signed_at + ttl:
        return Verdict(False, "AccessDenied", "Request has expired")
    return Verdict(True)


def error_xml(code: str, message: str, request_id: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>emulated</HostId></Error>"
    ).encode()
