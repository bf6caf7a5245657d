"""Whether the bank honours several values of `status[]` in one call, decided once per sync.

The API documents `status[]` as multi-valued, but one client reports that only the first value
is honoured. Asking all statuses in one call halves or thirds the listing calls; asking one
status per call is correct either way. So the source asks all statuses together only once the
bank has shown it honours them:

- proven for free when a listing page holds rows of two or more of the statuses asked for (a
  bank honouring one value never returns two);
- otherwise by a probe on one account's whole history: one page of all statuses together
  (usually enough: recent rows mix pending and completed), else counting: all statuses
  together (`meta.total_count`) must count exactly as many rows as each alone (`per_page=1`)
  summed, with rows in at least two statuses. Anything else (a probe error, no meta, too few
  rows to tell) is "not proven": one status per call for the rest of the sync.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .errors import is_rejected_request
from .records import ALL_STATUSES, REVERSED

# (bank account id, statuses, per_page) -> (one page of rows, meta.total_count or None)
SampleFn = Callable[[str, Sequence[str], int], Tuple[List[Dict[str, Any]], Optional[int]]]


def statuses_in(rows: Iterable[Mapping[str, Any]], asked: Sequence[str]) -> set:
    return {row.get("status") for row in rows if row.get("status") in asked}


def proves_multi(rows: Iterable[Mapping[str, Any]], asked: Sequence[str]) -> bool:
    return len(statuses_in(rows, asked)) >= 2


def counts_prove_multi(together: Optional[int], alone: Sequence[Optional[int]]) -> bool:
    """True only when the counts cannot be explained by a bank honouring a single value."""
    if not isinstance(together, int) or any(not isinstance(count, int) for count in alone):
        return False
    return together == sum(alone) and sum(1 for count in alone if count) >= 2  # type: ignore[misc]


class StatusSupport:
    """Shared by the streams of one sync; `multi` is None until decided."""

    def __init__(self, sample: SampleFn, logger: logging.Logger) -> None:
        self._sample = sample
        self._logger = logger
        self._lock = threading.Lock()
        self.multi: Optional[bool] = None

    def observe(self, rows: Sequence[Mapping[str, Any]], asked: Sequence[str]) -> None:
        if self.multi is None and proves_multi(rows, asked):
            with self._lock:
                if self.multi is None:
                    self.multi = True
                    self._logger.info(
                        f"The bank honours several status[] values in one call (a page held {', '.join(sorted(statuses_in(rows, asked)))} rows): "
                        "listing all statuses together."
                    )

    def resolve(self, bank_account_id: str) -> bool:
        """Decide by counting on this account (once per sync; later callers reuse the answer)."""
        with self._lock:
            if self.multi is None:
                self.multi = self._probe(bank_account_id)
            return self.multi

    def _probe(self, bank_account_id: str) -> bool:
        try:
            rows, together = self._sample(bank_account_id, ALL_STATUSES, 100)
            if proves_multi(rows, ALL_STATUSES):
                self._logger.info(
                    f"The bank honours several status[] values in one call (one page held {', '.join(sorted(statuses_in(rows, ALL_STATUSES)))} rows): "
                    "listing all statuses together."
                )
                return True
            alone = [self._sample(bank_account_id, (status,), 1)[1] for status in ALL_STATUSES]
        except Exception as error:  # the listing itself will report a real outage
            self._logger.info(f"Could not tell whether the bank honours several status[] values ({type(error).__name__}): one status per call.")
            return False
        proven = counts_prove_multi(together, alone)
        figures = ", ".join(f"{status} {count}" for status, count in zip(ALL_STATUSES, alone))
        verdict = "listing all statuses together" if proven else "one status per call"
        prefix = "The bank honours" if proven else "Not proven that the bank honours"
        self._logger.info(f"{prefix} several status[] values in one call ({together} rows together; {figures}): {verdict}.")
        return proven


class ReversedSupport:
    """Whether the bank lists `reversed` transactions when asked, decided once per sync.

    `reversed` is a status rows hold (a pending payment cancelled) but not a value of the
    documented `status[]` enum: a bank that refuses the value (400/422) would fail every listing
    that holds it. So one call asks it alone (`per_page=1`) before any listing does: accepted →
    `transactions` asks it with the other statuses; refused twice while the same call with
    `completed` is answered in between → it is left out for the sync (logged). An outage, refused credentials, or a
    refusal of every listing are not an answer: they fail the sync as any listing would.
    """

    def __init__(self, sample: SampleFn, logger: logging.Logger) -> None:
        self._sample = sample
        self._logger = logger
        self._lock = threading.Lock()
        self._listed: Optional[bool] = None

    def listed(self, bank_account_id: str) -> bool:
        with self._lock:
            if self._listed is None:
                self._listed = self._probe(bank_account_id)
            return self._listed

    def _probe(self, bank_account_id: str) -> bool:
        try:
            self._sample(bank_account_id, (REVERSED,), 1)
        except Exception as error:
            if not is_rejected_request(error):
                raise
            # Refused for `reversed`, or any listing refused? The same call with a documented
            # status tells: if that fails too, its error is the sync's (not a missing status).
            self._sample(bank_account_id, ALL_STATUSES[:1], 1)
            if self._answered(bank_account_id):   # a one-off refusal: asked once more
                return True
            self._logger.warning(
                f"The bank refuses status[]={REVERSED} ({getattr(error, 'message', '') or type(error).__name__}): reversed payments "
                "are not read, so a filed receipt of a pending payment later reversed stays in the archive."
            )
            return False
        return True

    def _answered(self, bank_account_id: str) -> bool:
        try:
            self._sample(bank_account_id, (REVERSED,), 1)
        except Exception as error:
            if not is_rejected_request(error):
                raise
            return False
        return True
