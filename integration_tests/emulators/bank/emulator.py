"""BankEmulator: the emulated Qonto Business API v2 on a loopback port (public facade)."""

from __future__ import annotations

import collections
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, unquote

from . import content, s3
from .api import BankApi
from .clock import Clock
from .dataset import Attachment, BankDataset
from .faults import DOCUMENTED_WINDOWS, Fault, FaultSet, RateLimiter, RateWindows
from .mutations import Mutations
from .oauth import OAuthServer
from .probative import VARIANT_PATH, ProbativeCopies
from .server import HttpServer, Request, Response, json_response

_SANDBOX_HTML = (b"<!DOCTYPE html><html><head><title>Qonto</title>"
                 b'<meta http-equiv="refresh" content="0; url=https://qonto.onelogin.com/login">'
                 b"</head><body>Redirecting to https://qonto.onelogin.com/login</body></html>")
_TOKEN_PATHS = ("/oauth2/token", "/v2/oauth2/token")
# Loopback stand-in for https://qonto.onelogin.com/login (tests never leave the machine).
_ONELOGIN_PATH = "/_onelogin/login"
_STAGING_HEADER = "X-Qonto-Staging-Token"
_MAX_401_PER_HOUR = 200


@dataclass(frozen=True)
class _Links:
    """Makes attachment objects' links: the original's URL (called), the sealed copy's fields."""
    download_url: Callable[[Attachment], str]
    probative: Callable[[Attachment], dict]

    def __call__(self, attachment: Attachment) -> str:
        return self.download_url(attachment)


@dataclass(frozen=True)
class RequestLog:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int            # 0 when the connection was reset without an answer
    header_names: tuple[str, ...] = ()   # as sent, case kept
    row_ids: tuple[str, ...] = ()        # transactions a listing answered with


class BankEmulator(Mutations):
    """The bank on http://127.0.0.1:<free port>, serving ``dataset`` (use as a context manager).

    Request pipeline: latency -> injected fault -> sandbox gate (every path, downloads included)
    -> rate windows -> presigned download (/_s3/, no bank credentials; an Authorization header is
    refused like S3 does) -> OAuth token endpoint -> authentication (more than 200 401s in an hour
    -> 429) -> /v2 API.

    Documented behaviour is the default; undocumented behaviour is a switch:
    - ``sandbox``: the whole sandbox, "every URL it returns to you" (attachment URLs too), is behind
      a OneLogin gate that wants the case-sensitive header X-Qonto-Staging-Token; without it the
      answer is the login HTML "sometimes with a 200 status, sometimes as a 302 redirect"
      (https://docs.qonto.com/get-started/general/sandbox-access): ``sandbox_gate`` "html" | "redirect".
    - ``rate_windows``: 1,000 requests / 10 s and 10,000 / 10 min per IP, 429 without Retry-After
      (https://docs.qonto.com/get-started/general/rate-limitations); downloads are not counted
      (they go to the storage host). ``time_scale`` shrinks the windows for tests.
    - ``access_ttl_s`` / ``early_refusal_s``: token lifetime (1 h documented) and a refusal that many
      seconds before the announced expiry (undocumented; oauth.py).
    - ``bounds``, ``precision``, ``tie_order``, ``status_filter``, ``reversed_filter``, ``pagination``: listing.py.
    - ``attachment_bumps``: whether a new attachment moves its transaction's updated_at (False: the
      bank processes it asynchronously and it appears without a bump; undocumented).
    """

    def __init__(self, dataset: BankDataset | None = None, *, sandbox: bool = False,
                 staging_token: str = "stg-token", latency_ms: float = 0, pagination: str = "both",
                 status_filter: str = "multi", per_ip_limit: tuple[int, float] | None = None,
                 url_ttl_s: int = 1800, host: str = "127.0.0.1", port: int = 0,
                 sandbox_gate: str = "html", access_ttl_s: float = 3600, early_refusal_s: float = 0.0,
                 rate_windows: tuple[tuple[int, float], ...] | None = DOCUMENTED_WINDOWS,
                 time_scale: float = 1.0, bounds: str = "inclusive", precision: str = "ms",
                 tie_order: str = "stable", attachment_bumps: bool = True, reversed_filter: str = "listed") -> None:
        if sandbox_gate not in ("html", "redirect"):
            raise ValueError("sandbox_gate must be 'html' or 'redirect'")
        self.dataset = dataset if dataset is not None else BankDataset()
        self.sandbox = sandbox
        self.staging_token = staging_token
        self.sandbox_gate = sandbox_gate
        self.attachment_bumps = attachment_bumps
        self.latency_ms = latency_ms
        self.url_ttl_s = url_ttl_s
        self.clock = Clock()
        self.faults = FaultSet()
        self.requests: list[RequestLog] = []
        self._log_lock = threading.Lock()
        # per_ip_limit: an extra window answered with Retry-After (for tests of that header)
        self._limiter = RateLimiter(*per_ip_limit) if per_ip_limit else None
        self._windows = RateWindows(rate_windows, time_scale) if rate_windows else None
        self._unauthorized: collections.deque = collections.deque()
        seed = hashlib.sha256(self.dataset.organization.id.encode()).hexdigest()
        self.secret_key = seed[:32]
        self.oauth = OAuthServer(self.clock, client_id=f"emulated-client-{seed[32:44]}",
                                 client_secret=seed[44:64], access_ttl_s=access_ttl_s,
                                 early_refusal_s=early_refusal_s)
        self._http = HttpServer(self._handle, host=host, port=port)
        self.url = self._http.url
        self.probative = ProbativeCopies(self.url, self.clock.now, lambda: self.url_ttl_s)
        self.links = _Links(self.download_url, self.probative.describe)
        self.api = BankApi(self.dataset, self.links, self._error,
                           pagination=pagination, status_filter=status_filter, bounds=bounds,
                           precision=precision, tie_order=tie_order, reversed_filter=reversed_filter)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "BankEmulator":
        self._http.start()
        return self

    def stop(self) -> None:
        self.faults.release()  # hung requests end first, or stopping would wait for them
        self._http.stop()

    def __enter__(self) -> "BankEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- credentials and configs ---------------------------------------------------------------
    def api_key_credentials(self) -> dict:
        return {"auth_type": "api_key", "organization_slug": self.dataset.organization.slug,
                "secret_key": self.secret_key}

    def oauth_credentials(self) -> dict:
        return {"auth_type": "oauth2.0", "client_id": self.oauth.client_id,
                "client_secret": self.oauth.client_secret,
                "refresh_token": self.oauth.new_refresh_token()}

    def auth_headers(self) -> dict:
        """Headers of a valid API-key request (plus the staging token in sandbox mode)."""
        creds = self.api_key_credentials()
        headers = {"Authorization": f"{creds['organization_slug']}:{creds['secret_key']}"}
        if self.sandbox:
            headers["X-Qonto-Staging-Token"] = self.staging_token
        return headers

    def source_config(self, start_date: str = "2025-01-01", **overrides: object) -> dict:
        config = {"credentials": self.api_key_credentials(), "api_url": self.url, "start_date": start_date}
        config.update(overrides)
        return config

    # -- downloads -----------------------------------------------------------------------------
    def download_url(self, attachment: Attachment) -> str:
        return s3.presign(self.url, attachment.id, attachment.file_name, self.clock.now(), self.url_ttl_s)

    def attachment_bytes(self, attachment_id: str) -> bytes:
        att = self.dataset.attachments[attachment_id]
        if att.content is not None:
            return att.content
        return content.content_bytes(att.id, att.size, att.content_type)

    # -- counters ------------------------------------------------------------------------------
    def count(self, prefix: str = "") -> int:
        with self._log_lock:
            return sum(1 for r in self.requests if r.path.startswith(prefix))

    def reset_counters(self) -> None:
        with self._log_lock:
            self.requests.clear()

    # -- request pipeline ----------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        response = self._answer(request)
        with self._log_lock:
            self.requests.append(RequestLog(request.method, request.path, request.query,
                                            0 if response.reset else response.status,
                                            request.header_names, response.row_ids))
        return response

    def _answer(self, request: Request) -> Response:
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            return self._fault_response(fault, request)
        if request.path == _ONELOGIN_PATH:
            return Response(200, _SANDBOX_HTML, content_type="text/html; charset=utf-8")
        if self.sandbox and not self._staging_token_ok(request):
            return self._sandbox_gate()
        if self._windows is not None and not request.path.startswith(s3.PREFIX):
            if not self._windows.allow(request.client)[0]:
                return self._too_many(None)
        if self._limiter is not None:
            allowed, wait_s = self._limiter.allow(request.client)
            if not allowed:
                return self._too_many(max(1, int(wait_s + 0.999)))
        if request.path.startswith(s3.PREFIX):
            return self._download(request)
        if request.path in _TOKEN_PATHS and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
            status, body = self.oauth.token(form)
            return json_response(status, body, headers={"Cache-Control": "no-store"})
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        return self.api.handle(request)

    def _staging_token_ok(self, request: Request) -> bool:
        # The header name is case-sensitive at the gate (docs: "Lowercase or mixed variants may
        # not be normalized by every layer in the chain").
        return (_STAGING_HEADER in request.header_names
                and request.headers.get(_STAGING_HEADER.lower()) == self.staging_token)

    def _sandbox_gate(self) -> Response:
        if self.sandbox_gate == "redirect":
            return Response(302, _SANDBOX_HTML, content_type="text/html; charset=utf-8",
                            headers={"Location": f"{self.url}{_ONELOGIN_PATH}"})
        return Response(200, _SANDBOX_HTML, content_type="text/html; charset=utf-8")

    def _authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "").strip()
        if not header:
            return self._error(400, "bad_request", "Authorization field missing")
        org = self.dataset.organization
        if header == f"{org.slug}:{self.secret_key}":
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and self.oauth.access_valid(token.strip()):
            return None
        if self._too_many_unauthorized():
            return self._too_many(60)
        return self._error(401, "unauthorized", "Invalid credentials")

    def _too_many_unauthorized(self) -> bool:
        # The bank throttles clients that collect more than 200 401s in an hour.
        now = time.monotonic()
        with self._log_lock:
            self._unauthorized.append(now)
            while self._unauthorized and self._unauthorized[0] < now - 3600:
                self._unauthorized.popleft()
            return len(self._unauthorized) > _MAX_401_PER_HOUR

    def _download(self, request: Request) -> Response:
        parts = request.path[len(s3.PREFIX):].split("/", 1)
        attachment_id = unquote(parts[0])
        variant = VARIANT_PATH if len(parts) > 1 and parts[1].startswith(VARIANT_PATH + "/") else ""
        request_id = uuid.uuid4().hex[:16].upper()
        if request.headers.get("authorization"):
            # S3 refuses a presigned URL that also carries an Authorization header.
            return self._xml(400, "InvalidArgument", "Only one auth mechanism allowed; only the "
                             "X-Amz-Algorithm query parameter, Signature query string parameter or the "
                             "Authorization header should be specified", request_id)
        verdict = s3.check(attachment_id, request.query, self.clock.now(), variant)
        if not verdict.ok:
            return self._xml(403, verdict.code, verdict.message, request_id)
        att = self.dataset.attachments.get(attachment_id)
        if att is None or (variant and att.probative_status != "available"):
            return self._xml(404, "NoSuchKey", "The specified key does not exist.", request_id)
        if variant:
            body, content_type = self.probative.served(att)
            return Response(200, body, content_type=content_type, headers={"x-amz-request-id": request_id})
        stream = (content.iter_bytes(att.content) if att.content is not None
                  else content.iter_content(att.id, att.size, att.content_type))
        return Response(200, content_type=att.content_type, stream=stream, length=att.size,
                        headers={"x-amz-request-id": request_id})

    # -- canned answers ------------------------------------------------------------------------
    def _error(self, status: int, code: str, detail: str, parameter: str | None = None) -> Response:
        trace_id = uuid.uuid4().hex
        error: dict = {"code": code, "detail": detail}
        if parameter:
            error["source"] = {"parameter": parameter}
        return json_response(status, {"errors": [error], "trace_id": trace_id},
                             headers={"X-Tyk-Trace-Id": trace_id})

    def _too_many(self, retry_after: float | int | None) -> Response:
        response = self._error(429, "too_many_requests", "Too Many Requests")
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def _xml(self, status: int, code: str, message: str, request_id: str) -> Response:
        return Response(status, s3.error_xml(code, message, request_id), content_type="application/xml",
                        headers={"x-amz-request-id": request_id})

    def _fault_response(self, fault: Fault, request: Request) -> Response:
        fault.hang()  # hang_s: nothing for a while, then a closed connection (faults.py)
        if fault.reset:
            return Response(0, reset=True)
        if fault.html:
            return Response(200, _SANDBOX_HTML, content_type="text/html; charset=utf-8")
        status = int(fault.status or 500)
        if status == 429:
            return self._too_many(fault.retry_after)
        if request.path.startswith(s3.PREFIX) and status in (403, 410):
            request_id = uuid.uuid4().hex[:16].upper()
            return self._xml(status, "AccessDenied", "Request has expired", request_id)
        response = self._error(status, _FAULT_CODES.get(status, "error"), _FAULT_DETAILS.get(status, "Error"))
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response


_FAULT_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                422: "invalid", 500: "internal_server_error", 502: "bad_gateway",
                503: "service_unavailable", 504: "gateway_timeout"}
_FAULT_DETAILS = {400: "Bad Request", 401: "Invalid credentials", 403: "Forbidden", 404: "Not found",
                  422: "Unprocessable Entity", 500: "Internal Server Error", 502: "Bad Gateway",
                  503: "Service Unavailable", 504: "Gateway Timeout"}
