"""Drive's JSON error envelope and the errors the emulator raises."""
from __future__ import annotations

import json

_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
           503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
_DEFAULT_REASON = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound", 409: "conflict",
                   429: "rateLimitExceeded", 500: "internalError", 502: "backendError",
                   503: "backendError", 504: "backendError"}
_MESSAGES = {
    "userRateLimitExceeded": "User Rate Limit Exceeded. Rate of requests for user exceed configured project quota.",
    "rateLimitExceeded": "Rate Limit Exceeded",
    "dailyLimitExceeded": "Daily Limit Exceeded",
    "sharingRateLimitExceeded": "Rate limit exceeded. User message: \"Sorry, you have exceeded your sharing quota.\"",
    "storageQuotaExceeded": "The user's Drive storage quota has been exceeded.",
    "backendError": "Backend Error", "internalError": "Internal Error", "authError": "Invalid Credentials",
    "notFound": "File not found.", "badRequest": "Bad Request", "forbidden": "Forbidden",
}
USAGE_LIMIT_REASONS = {"userRateLimitExceeded", "rateLimitExceeded", "dailyLimitExceeded",
                       "sharingRateLimitExceeded", "quotaExceeded"}


class ApiError(Exception):
    def __init__(self, status: int, reason: str | None = None, message: str | None = None, *,
                 location: str | None = None, location_type: str = "parameter", domain: str | None = None):
        self.status = status
        self.reason = reason or _DEFAULT_REASON.get(status, "unknown")
        self.message = message or _MESSAGES.get(self.reason, self.reason)
        self.location, self.location_type = location, location_type
        self.domain = domain or ("usageLimits" if self.reason in USAGE_LIMIT_REASONS else "global")
        super().__init__(f"{status} {self.reason}: {self.message}")

    def body(self) -> dict:
        detail = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            detail.update(locationType=self.location_type, location=self.location)
        return {"error": {"errors": [detail], "code": self.status, "message": self.message,
                          "status": _STATUS.get(self.status, "UNKNOWN")}}

    def json_bytes(self) -> bytes:
        return json.dumps(self.body()).encode()


def not_found(file_id: str, location: str = "fileId") -> ApiError:
    return ApiError(404, "notFound", f"File not found: {file_id}.", location=location)


def invalid(location: str, message: str = "Invalid Value") -> ApiError:
    return ApiError(400, "invalid", message, location=location)


def auth_error() -> ApiError:
    return ApiError(401, "authError", "Invalid Credentials", location="Authorization", location_type="header")
