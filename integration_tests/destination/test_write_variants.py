"""Records of each variant through the real `write` command: a sealed copy beside its original, a
record without variant (older source) as the original, a variant this version does not know left out."""

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.emulators.bank import sealing


def test_given_original_copy_no_variant_and_unknown_variant_when_written_then_each_handled_as_the_contract_says(
        drive, config, tmp_path):
    original, older, newer = M.receipt(1), M.receipt(2), M.receipt(3)
    sealed = sealing.sealed_pdf("Probative copy of receipt 1")
    items = [
        ({**original, "variant": "original"}, M.content_of(1)),
        ({**original, "variant": "probative", "file_name": "ticket 1.pdf"}, sealed),
        (older, M.content_of(2)),                                                   # a source before variants
        ({**newer, "variant": "original"}, M.content_of(3)),
        ({**newer, "variant": "e-invoice"}, b"<Invoice/>"),                         # a variant from a newer source
    ]

    result = run_write(tmp_path, config, M.receipts_messages(items))

    assert result.returncode == 0, result.stderr
    files = [f for f in drive.files.values() if f.app_properties.get("kind") == "receipt" and not f.trashed]
    by_key = {(f.app_properties["att"], f.app_properties.get("var", "original")): f for f in files}
    assert set(by_key) == {(original["attachment_id"], "original"), (original["attachment_id"], "probative"),
                           (older["attachment_id"], "original"), (newer["attachment_id"], "original")}
    copy, first = by_key[(original["attachment_id"], "probative")], by_key[(original["attachment_id"], "original")]
    assert drive.content(copy.id) == sealed and drive.content(first.id) == M.content_of(1)
    assert copy.parents == first.parents and copy.name == first.name.rsplit(".", 1)[0] + " (probative).pdf"
    assert drive.content(by_key[(newer["attachment_id"], "original")].id) == M.content_of(3)  # not overwritten
    assert result.logs.count("'e-invoice' are not known to this destination version") == 1


def test_given_sealed_copy_record_without_signature_when_written_then_not_filed_counted_and_warned_once(
        drive, config, tmp_path):
    meta = M.receipt(4)
    items = [({**meta, "variant": "original"}, M.content_of(4)),
             ({**meta, "variant": "probative"}, sealing.plain_pdf("not sealed"))]

    result = run_write(tmp_path, config, M.receipts_messages(items))

    assert result.returncode == 0, result.stderr
    files = [f for f in drive.files.values() if f.app_properties.get("kind") == "receipt" and not f.trashed]
    assert [f.app_properties.get("var", "original") for f in files] == ["original"]
    assert result.logs.count(f"Sealed copy of receipt {meta['attachment_id']} not filed") == 1
    assert "skipped unsealed 1" in result.logs


def test_given_csv_ledgers_and_sealed_copy_statuses_when_written_then_rows_link_the_copy_and_say_each_status(
        drive, config, tmp_path):
    import csv
    import io

    from integration_tests.destination.test_ledger_write import for_receipt, sync_messages

    metas = [M.receipt(n) for n in (1, 2, 3)]
    items = [({**metas[0], "variant": "original"}, M.content_of(1)),
             ({**metas[0], "variant": "probative"}, sealing.sealed_pdf("Probative copy of receipt 1")),
             ({**metas[1], "variant": "original"}, M.content_of(2)), ({**metas[2], "variant": "original"}, M.content_of(3))]
    statuses = ({"status": "available"}, {"status": "corrupted"}, None)     # None: copies not exported
    index = [M.record("receipt_index", {**M.index_entry(m, "http://127.0.0.1:9/none"),
                                        **({"probative": s} if s else {})}) for m, s in zip(metas, statuses)]
    messages = M.receipts_messages(items) + sync_messages((), [for_receipt(m, n) for n, m in enumerate(metas, 1)])

    result = run_write(tmp_path, {**config, "ledger": "csv"}, messages + index)

    assert result.returncode == 0, result.stderr
    (ledger,) = [f for f in drive.files.values() if f.app_properties.get("kind") == "ledger" and not f.trashed]
    rows = {r["Transaction id"]: r for r in csv.DictReader(io.StringIO(drive.content(ledger.id).decode()))}
    (copy,) = [f for f in drive.files.values() if f.app_properties.get("var") == "probative"]
    assert (rows["tx-0001"]["Probative copy"], rows["tx-0001"]["Probative status"]) == (
        f"https://drive.google.com/file/d/{copy.id}/view", "sealed copy")
    assert (rows["tx-0002"]["Probative copy"], rows["tx-0002"]["Probative status"]) == ("", "corrupted at the bank")
    assert (rows["tx-0003"]["Probative copy"], rows["tx-0003"]["Probative status"]) == ("", "")
