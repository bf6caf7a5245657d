"""Rows built when they are sent, not all at once.

A new missing list holds every transaction of an archive still missing a receipt: its rows, all
built before the first batch went out, were ~12 MB of the destination's peak. Here each batch's
rows are built as the batch is sent, from the spool, and dropped after it. Rows are known by an
item (a spool position) and their transaction id is read back only when asked for.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Iterator, Mapping, Sequence, TypeVar, overload

from destination_gdrive_receipts.ledger.typed import TypedRow

Item = TypeVar("Item")


def _same(item: Any) -> str:
    return item


class LazyRows(Mapping[str, TypedRow], Generic[Item]):
    """Transaction id → its row, built on each access from `build(item)`.

    `id_of(item)` is its transaction id; the id → item map is made only when the mapping is used by
    id (a merge into an existing table), never for a new table's rows taken in order.
    """

    def __init__(self, items: Sequence[Item], build: Callable[[Item], TypedRow], order_key: Callable[[Item], Any],
                 id_of: Callable[[Item], str] = _same) -> None:
        self._items, self._build, self._order_key, self._id_of = list(items), build, order_key, id_of
        self._by_id: dict[str, Item] | None = None

    def _index(self) -> dict[str, Item]:
        if self._by_id is None:
            self._by_id = {self._id_of(item): item for item in self._items}
        return self._by_id

    def __getitem__(self, tx_id: str) -> TypedRow:
        return self._build(self._index()[tx_id])

    def __contains__(self, tx_id: object) -> bool:
        return tx_id in self._index()

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._items)

    def in_order(self, on_built: Callable[[str, TypedRow], None] = lambda tx_id, row: None) -> "RowsInOrder":
        """The rows in the table's order (the same as sorting built rows by (sort key, id)).

        Two stable sorts, by id then by sort key, give that order while holding one key per row
        instead of a (key, id) tuple each.
        """
        items = sorted(self._items, key=self._id_of)
        items.sort(key=self._order_key)
        return RowsInOrder(items, self._build, on_built)


class RowsInOrder(Sequence[TypedRow]):
    """A sequence whose slices are built when taken (a batch of rows to send)."""

    def __init__(self, items: list, build: Callable[[Any], TypedRow], on_built: Callable[[str, TypedRow], None]):
        self._items, self._build, self._on_built = items, build, on_built

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> TypedRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[TypedRow]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(item) for item in self._items[index]]
        return self._row(self._items[index])

    def _row(self, item: Any) -> TypedRow:
        row = self._build(item)
        self._on_built(row.transaction_id, row)
        return row
