"""Which configured stream is which stream of the contract, whatever prefix the connection adds.

A connection may set a stream prefix: the platform then renames the streams of the configured catalog
*and* of every RECORD and STATE it forwards ("qonto_" + "receipts"), see airbytehq/airbyte-platform
airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/internal/Mapper.kt (NamespacingMapper).
Matching exact names only would file nothing and exit 0. So a configured stream is recognised by its
name ending with a contract name, confirmed by its schema when the catalog carries one; a catalog in
which no stream can be recognised, or two streams claim the same role, is a configuration error that
names the streams received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

RECEIPTS, INDEX, ACCOUNTS, TRANSACTIONS = "receipts", "receipt_index", "bank_accounts", "transactions"
CONTRACT = (RECEIPTS, INDEX, ACCOUNTS, TRANSACTIONS)
FILED = (RECEIPTS, INDEX)   # a catalog must carry at least one of these, else nothing can be filed

# Fields only this role's records carry (docs/stream-contract.md): a schema naming its properties must
# include them. A schema without properties ({"type": "object"}) proves nothing and is accepted.
_SIGNATURE = {
    RECEIPTS: ("content_base64", "chunk_index"),
    INDEX: ("download_url",),
    ACCOUNTS: ("iban",),
    TRANSACTIONS: (),
}


class RoutingError(ValueError):
    """The catalog does not let the destination tell which stream holds the receipts."""


@dataclass(frozen=True)
class Routing:
    roles: Mapping[str, str] = field(default_factory=dict)   # configured stream name -> contract role

    def role(self, stream: str) -> str | None:
        """The contract role of a RECORD's or STATE's stream; exact contract names always work."""
        return self.roles.get(stream, stream if stream in CONTRACT and stream not in self.roles.values() else None)

    def name_of(self, role: str) -> str | None:
        return next((name for name, r in self.roles.items() if r == role), None)


def _role_by_name(name: str) -> str | None:
    if name in CONTRACT:
        return name
    # The longest contract name first: "x_receipt_index" must not be read as ending in "index" of another.
    for role in sorted(CONTRACT, key=len, reverse=True):
        if name.endswith(role):
            return role
    return None


def _schema_fits(role: str, schema: Mapping[str, Any] | None) -> bool:
    properties = (schema or {}).get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return True
    return all(f in properties for f in _SIGNATURE[role])


def route(streams: Iterable[tuple[str, Mapping[str, Any] | None]]) -> Routing:
    """Map (configured stream name, json_schema) pairs to contract roles, or raise RoutingError."""
    streams = list(streams)
    roles: dict[str, str] = {}
    claimed: dict[str, list[str]] = {}
    for name, schema in streams:
        role = _role_by_name(name)
        if role is not None and _schema_fits(role, schema):
            roles[name] = role
            claimed.setdefault(role, []).append(name)
    names = ", ".join(sorted(n for n, _ in streams)) or "none"
    clashes = {role: names_ for role, names_ in claimed.items() if len(names_) > 1}
    if clashes:
        role, which = sorted(clashes.items())[0]
        raise RoutingError(f"Several streams of the connection could be '{role}' ({', '.join(sorted(which))}); "
                           f"keep one. Streams received: {names}.")
    if streams and not any(role in FILED for role in roles.values()):
        raise RoutingError("None of the connection's streams is 'receipts' or 'receipt_index' (a stream prefix is "
                           f"fine, the name must end with them), so nothing could be filed. Streams received: {names}. "
                           "Select the receipts and receipt_index streams of the bank receipts source.")
    return Routing(roles)
