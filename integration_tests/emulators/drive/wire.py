"""Transport-neutral request/response objects, so batch parts and real requests share handlers."""
from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field

from .errors import ApiError


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]        # lower-cased names
    body: bytes = b""
    multi: dict[str, list[str]] = field(default_factory=dict)   # every value of a repeated parameter

    @classmethod
    def from_target(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> "Request":
        parsed = urllib.parse.urlsplit(target)
        pairs = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        query, multi = dict(pairs), {}
        for key, value in pairs:
            multi.setdefault(key, []).append(value)
        headers = {k.lower(): v for k, v in headers.items()}
        override = headers.get("x-http-method-override")
        if override:  # long GETs arrive as POST with the query string in a form body
            method = override.upper()
            if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                query.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
                body = b""
        return cls(method.upper(), urllib.parse.unquote(parsed.path), query, headers, body, multi)

    def flag(self, name: str) -> bool:
        return self.query.get(name, "false").lower() == "true"

    @property
    def all_drives(self) -> bool:
        return self.flag("supportsAllDrives") or self.flag("supportsTeamDrives")

    def json(self) -> dict:
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "parseError", "Parse Error") from exc
        if not isinstance(value, dict):
            raise ApiError(400, "parseError", "Parse Error")
        return value


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False

    @classmethod
    def json(cls, value: dict, status: int = 200) -> "Response":
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json; charset=UTF-8"})

    @classmethod
    def error(cls, error: ApiError) -> "Response":
        response = cls(error.status, error.json_bytes(), {"Content-Type": "application/json; charset=UTF-8"})
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
        return response


REASONS = {200: "OK", 201: "Created", 204: "No Content", 308: "Resume Incomplete", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 410: "Gone",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}
