"""A transaction's probative cells from the bank's statuses and the sealed copies in Drive (table-driven,
a fake tree: no I/O)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from destination_gdrive_receipts.ledger import rows
from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, Links
from destination_gdrive_receipts.ledger.probative import SealedCopies

LIVE_FOLDER = "folder-live"


class FakeTree:
    def __init__(self, copies: dict[str, tuple[str, bool, str]]) -> None:
        self._copies = copies     # attachment id → (file id, live, parent)

    def receipt(self, attachment_id: str, variant: str = "original"):
        found = self._copies.get(attachment_id) if variant == "probative" else None
        return SimpleNamespace(id=found[0], live=found[1], parent=found[2]) if found else None

    def live_receipt(self, attachment_id: str, variant: str = "original"):
        """Live wherever it is: Drive marks the files of a trashed folder trashed too."""
        found = self.receipt(attachment_id, variant)
        return found if found is not None and found.live else None


def link(file_id: str) -> str:
    return f"https://drive.google.com/file/d/{file_id}/view"


@pytest.mark.parametrize("ids, statuses, copies, expected", [
    (["a"], {"a": "available"}, {"a": ("f1", True, LIVE_FOLDER)}, ((("Sealed copy 1", link("f1")),), "sealed copy")),
    (["a"], {"a": "pending"}, {}, ((), "pending at the bank")),
    (["a"], {"a": "unavailable"}, {}, ((), "not produced by the bank")),
    (["a"], {"a": "corrupted"}, {}, ((), "corrupted at the bank")),
    (["a"], {"a": "available"}, {}, ((), "sealed copy, not filed yet")),
    (["a"], {"a": "available"}, {"a": ("f1", False, LIVE_FOLDER)}, ((), "sealed copy, not filed yet")),  # trashed
    (["a"], {"a": "available"}, {"a": ("f1", True, "users-own-folder")},                   # moved by the user
     ((("Sealed copy 1", link("f1")),), "sealed copy")),
    (["a"], {}, {}, ((), "")),                                                   # copies not exported
    ([], {}, {}, ((), "")),
    (["a", "b"], {"a": "available", "b": "pending"}, {"a": ("f1", True, LIVE_FOLDER)},
     ((("Sealed copy 1", link("f1")),), "sealed copy; pending at the bank")),
    (["a", "b"], {"a": "available", "b": "available"}, {"b": ("f2", True, LIVE_FOLDER)},
     ((("Sealed copy 2", link("f2")),), "sealed copy, not filed yet; sealed copy")),
])
def test_given_statuses_and_filed_copies_when_cells_are_made_then_links_and_status_say_what_the_bank_and_drive_hold(
        ids, statuses, copies, expected):
    sealed = SealedCopies(FakeTree(copies), statuses.get)

    assert sealed.cells(ids) == (Links(expected[0]), expected[1])


def test_given_both_ledger_formats_then_the_probative_columns_have_the_same_headers_and_order():
    sheet_headers = [c.header for c in LEDGER_COLUMNS]
    both = [h for h in rows.COLUMNS if h in sheet_headers]

    assert {"Probative copy", "Probative status"} <= set(both)
    assert both == [h for h in sheet_headers if h in rows.COLUMNS]
