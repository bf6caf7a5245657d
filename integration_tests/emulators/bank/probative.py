"""Probative (PAdES-sealed) copies of attachments: what the API says of them and what their URL serves.

The attachment object's `probative_attachment` carries `status` (available, pending,
unavailable, corrupted: the values seen at the bank, qonto.md; the OpenAPI file types it as a free
string) and, when available, its own `file_name`, `file_content_type`, `file_size` (a string) and
a 30-minute presigned `url`, like the original (OpenAPI file, GET /v2/attachments/{id} example;
tonoid/qonto-backup src/attachments.ts reads exactly these). The bank seals in the background, so
a copy goes from pending to available later; whether that moves the transaction's `updated_at` is
not documented: ``Mutations.make_probative_available`` never bumps it (the case the connectors
must survive). Sealed bytes are made once per attachment (sealing.py) and kept.
"""

from __future__ import annotations

import threading
from typing import Callable

from . import s3, sealing
from .dataset import Attachment

VARIANT_PATH = "probative"  # /_s3/<attachment id>/probative/<file name>


def probative_name(att: Attachment) -> str:
    stem = att.file_name.rsplit(".", 1)[0] if "." in att.file_name else att.file_name
    return f"{stem or att.id}.pdf"


class ProbativeCopies:
    def __init__(self, base_url: str, now: Callable[[], float], ttl_s: Callable[[], int]) -> None:
        self._base_url = base_url
        self._now = now
        self._ttl_s = ttl_s
        self._sealed: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def sealed(self, att: Attachment) -> bytes:
        with self._lock:
            data = self._sealed.get(att.id)
        if data is None:
            data = sealing.sealed_pdf(f"Probative copy of receipt {att.id} ({att.file_name})")
            with self._lock:
                data = self._sealed.setdefault(att.id, data)
        return data

    def served(self, att: Attachment) -> tuple[bytes, str]:
        """(body, content type) the probative URL answers with, faults included."""
        if att.probative_fault == "gate":
            return sealing.GATE_PAGE, "text/html; charset=utf-8"
        sealed = self.sealed(att)
        if att.probative_fault:
            return sealing.fault_body(att.probative_fault, sealed, f"Receipt {att.id}"), "application/pdf"
        return sealed, "application/pdf"

    def describe(self, att: Attachment) -> dict:
        """The attachment object's `probative_attachment`."""
        if att.probative_status != "available":
            return {"status": att.probative_status}
        name = probative_name(att)
        return {
            "status": "available",
            "file_name": name,
            "file_content_type": "application/pdf",
            "file_size": str(len(self.sealed(att))),  # the sealed file's size, whatever a fault serves
            "url": s3.presign(self._base_url, att.id, name, self._now(), self._ttl_s(), variant=VARIANT_PATH),
        }
