"""Rows built when they are sent, not all at once.

A new missing list holds every transaction of an archive still missing a receipt: its rows, all
built before the first batch went out, were ~12 MB of the destination's peak. Here each batch's
rows are built as the batch is sent, from the spool, and dropped after it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, Sequence, overload

from destination_gdrive_receipts.ledger.typed import TypedRow


class LazyRows(Mapping[str, TypedRow]):
    """Transaction id → its row, built on each access from `build(id)`."""

    def __init__(self, ids: Sequence[str], build: Callable[[str], TypedRow], order_key: Callable[[str], Any]) -> None:
        self._ids, self._build, self._order_key = list(ids), build, order_key
        self._known = set(self._ids)

    def __getitem__(self, tx_id: str) -> TypedRow:
        if tx_id not in self._known:
            raise KeyError(tx_id)
        return self._build(tx_id)

    def __contains__(self, tx_id: object) -> bool:
        return tx_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def in_order(self, on_built: Callable[[str, TypedRow], None] = lambda tx_id, row: None) -> "RowsInOrder":
        """The rows in the table's order (the same as sorting built rows by (sort key, id))."""
        return RowsInOrder(sorted(self._ids, key=lambda tx_id: (self._order_key(tx_id), tx_id)), self._build, on_built)


class RowsInOrder(Sequence[TypedRow]):
    """A sequence whose slices are built when taken (a batch of rows to send)."""

    def __init__(self, ids: list[str], build: Callable[[str], TypedRow], on_built: Callable[[str, TypedRow], None]):
        self._ids, self._build, self._on_built = ids, build, on_built

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> TypedRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[TypedRow]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(tx_id) for tx_id in self._ids[index]]
        return self._row(self._ids[index])

    def _row(self, tx_id: str) -> TypedRow:
        row = self._build(tx_id)
        self._on_built(tx_id, row)
        return row
