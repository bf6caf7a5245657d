"""A queue bounded by the bytes it holds, not only by its number of items.

The concurrent engine hands every record from the worker threads to the main thread through
one queue (10,000 items by default). A receipt chunk is ~4 MB, so 10,000 of them could pile up
when stdout is slow; here a chunk weighs by its size and the queue holds at most ~8 MiB of
content (two or three chunks, or thousands of small records), so workers wait instead of
filling memory. Two chunks are enough to keep stdout busy while a worker encodes the next one.
"""

from __future__ import annotations

from collections import deque
from queue import Queue
from typing import Any

UNIT_BYTES = 4096
BUDGET_UNITS = 2048  # 2048 units x 4 KiB = 8 MiB of receipt content, about two chunks


def weight(item: Any) -> int:
    data = getattr(item, "data", None)
    content = data.get("content_base64") if isinstance(data, dict) else None
    return 1 + (len(content) // UNIT_BYTES if isinstance(content, str) else 0)


class ByteBoundedQueue(Queue):  # type: ignore[type-arg]
    def __init__(self, budget_units: int = BUDGET_UNITS) -> None:
        super().__init__(maxsize=budget_units)

    def _init(self, maxsize: int) -> None:
        self.queue: deque = deque()
        self._weight = 0

    def _qsize(self) -> int:
        return self._weight

    def _put(self, item: Any) -> None:
        cost = weight(item)
        self.queue.append((item, cost))
        self._weight += cost

    def _get(self) -> Any:
        item, cost = self.queue.popleft()
        self._weight -= cost
        return item
