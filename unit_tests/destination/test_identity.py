import pytest

from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.filing.identity import bank_changed, filed_markers, user_changed, where_filed
from destination_gdrive_receipts.filing.planner import PATCH, SKIP, Plan, plan

FILED = {"kind": "receipt", "att": "att-1", "sha": "sha-bank-1", "md5": "md5-bank-1", "fp": "2025-04"}


def receipt(markers=FILED, md5="md5-bank-1", parent="p-2025-04"):
    return Entry(id="file-1", name="r.pdf", kind="receipt", parent=parent, md5=md5, markers=dict(markers))


def period(folder_id, acct="acc-main", key="2025-04"):
    return Entry(id=folder_id, name=key, kind="period", parent="acc", markers={"acct": acct, "period": key})


@pytest.mark.parametrize("entry, sha256, md5, expected", [
    pytest.param(receipt(), "sha-bank-1", "md5-bank-1", False, id="same-bank-bytes"),
    pytest.param(receipt(md5="md5-user"), "sha-bank-1", "md5-bank-1", False, id="user-version-is-no-bank-change"),
    pytest.param(receipt(), "sha-bank-2", "md5-bank-2", True, id="bank-bytes-changed"),
    pytest.param(receipt(markers={"att": "att-1"}), None, "md5-bank-1", False, id="no-digest-recorded-same-md5"),
    pytest.param(receipt(markers={"att": "att-1"}, md5="x"), None, "md5-bank-1", True, id="no-digest-recorded-md5-differs"),
])
def test_given_filed_digest_when_the_bank_sends_bytes_then_only_a_bank_change_counts(entry, sha256, md5, expected):
    assert bank_changed(entry, sha256=sha256, md5=md5) is expected


@pytest.mark.parametrize("entry, expected", [
    (receipt(), False), (receipt(md5="md5-user"), True), (receipt(markers={"att": "att-1"}, md5="md5-user"), False),
])
def test_given_drive_content_when_compared_with_the_filed_md5_then_the_users_version_is_recognised(entry, expected):
    assert user_changed(entry) is expected


@pytest.mark.parametrize("entry, folder, expected", [
    pytest.param(receipt(), period("p-2025-04"), True, id="in-the-period-folder-it-was-filed-for"),
    pytest.param(receipt(), None, False, id="in-a-folder-of-the-user-sub-folder-or-outside-the-root"),
    pytest.param(receipt(), period("p-2025-05", key="2025-05"), False, id="moved-by-the-user-to-another-period"),
    pytest.param(receipt(), period("p-2025-04", acct="acc-tax"), False, id="moved-into-another-account"),
    pytest.param(receipt(), Entry(id="acc", name="Main", kind="account", parent="root"), False,
                 id="moved-up-into-the-account-folder"),
    pytest.param(receipt(markers={"att": "att-1"}), period("p-2025-05", key="2025-05"), True,
                 id="filed-by-0.2.0-in-a-period-folder-counts-as-filed-there"),
])
def test_given_where_a_file_is_when_asked_whether_the_connector_put_it_there_then_users_filing_is_told_apart(
        entry, folder, expected):
    assert where_filed(entry, folder, "acc-main") is expected


@pytest.mark.parametrize("existing, md5, sha256, stays, expected", [
    pytest.param(receipt(md5="md5-user"), "md5-bank-1", "sha-bank-1", False, Plan(SKIP, file_id="file-1"),
                 id="user-version-and-unchanged-bank-file-writes-nothing"),
    pytest.param(receipt(md5="md5-user"), "md5-bank-2", "sha-bank-2", False,
                 Plan(PATCH, file_id="file-1", upload=True, over_user_version=True, keep_previous=True),
                 id="bank-change-over-user-version-is-a-new-revision-said-so"),
    pytest.param(receipt(), "md5-bank-2", "sha-bank-2", False, Plan(PATCH, file_id="file-1", upload=True),
                 id="bank-change-over-the-banks-own-version-is-a-plain-update"),
    pytest.param(receipt(markers={"att": "att-1", "sha": "sha-bank-1"}, md5="md5-unknown"), "md5-bank-2",
                 "sha-bank-2", False, Plan(PATCH, file_id="file-1", upload=True, keep_previous=True),
                 id="bank-change-over-a-0.2.0-file-keeps-the-previous-version-silently"),
    pytest.param(receipt(parent="user-folder"), "md5-bank-1", "sha-bank-1", True, Plan(SKIP, file_id="file-1"),
                 id="file-the-user-moved-stays"),
    pytest.param(receipt(parent="user-folder"), "md5-bank-2", "sha-bank-2", True,
                 Plan(PATCH, file_id="file-1", upload=True), id="file-the-user-moved-is-updated-where-it-is"),
])
def test_given_users_changes_when_planning_then_only_bank_changes_are_written(existing, md5, sha256, stays, expected):
    target = "user-folder" if stays else "p-2025-04"
    assert plan(existing, target, md5=md5, sha256=sha256, parent_is_live=True, stays=stays) == expected


def test_given_long_transaction_id_when_markers_written_then_each_fits_drives_limit():
    markers = filed_markers("root", "att-1", sha256="a" * 64, md5="b" * 32, period="2025-04", transaction_id="t" * 200)
    assert all(len(k.encode()) + len(v.encode()) <= 124 for k, v in markers.items())
    assert markers["fp"] == "2025-04" and markers["tx"].startswith("h:")


def _tx(n, attachments, status="completed"):
    return {"id": f"tx-{n}", "status": status, "attachment_ids": attachments}


@pytest.mark.parametrize("transactions, markers, expected", [
    pytest.param([_tx(1, ["a", "b"])], {"att": "a", "tx": "tx-1"}, False, id="attachment-still-on-its-transaction"),
    pytest.param([_tx(1, ["b"])], {"att": "a", "tx": "tx-1"}, True, id="attachment-removed-at-the-bank"),
    pytest.param([_tx(1, ["a"], "declined")], {"att": "a", "tx": "tx-1"}, True, id="payment-declined"),
    pytest.param([_tx(1, ["a"], "declined")], {"att": "a"}, True, id="declined-and-filed-before-tx-was-recorded"),
    pytest.param([_tx(2, [])], {"att": "a", "tx": "tx-1"}, False, id="its-transaction-not-in-this-sync"),
    pytest.param([_tx(1, [])], {"att": "a"}, False, id="filed-before-tx-was-recorded-cannot-be-matched"),
    pytest.param([_tx(1, None)], {"att": "a", "tx": "tx-1"}, False, id="no-attachment-list-says-nothing"),
])
def test_given_this_syncs_transactions_when_a_filed_receipt_is_checked_then_only_a_bank_correction_is_gone(
        transactions, markers, expected):
    from destination_gdrive_receipts.filing.corrections import BankCorrections

    corrections = BankCorrections()
    for transaction in transactions:
        corrections.add(transaction)
    assert corrections.gone(markers) is expected
