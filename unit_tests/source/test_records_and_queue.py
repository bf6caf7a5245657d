from airbyte_cdk.sources.types import Record

from source_bank_receipts.bounded_queue import ByteBoundedQueue, weight
from source_bank_receipts.downloads import url_expires_at
from source_bank_receipts.records import receipt_index_record, receipt_metadata, to_int, to_number, transaction_record

TX = {"id": "t1", "amount": "10,50", "currency": "EUR", "side": "debit", "status": "pending", "settled_at": None,
      "emitted_at": "2024-03-31T22:30:00.000Z", "updated_at": "2024-04-01T08:00:00.000Z", "label": "ACME SAS",
      "clean_counterparty_name": "Acme", "attachments": [{"id": "a1", "url": "https://x"}]}
ACCOUNT = {"id": "acc", "name": "Main", "iban": ""}
ATTACHMENT = {"id": "a1", "file_name": "r/1", "file_content_type": "image/png", "created_at": "2024-04-01T07:00:00.000Z",
              "file_size": "27965", "url": "https://s3/x?X-Amz-Date=20240401T080000Z&X-Amz-Expires=1800&X-Amz-Signature=abc"}


def test_given_transaction_when_receipt_metadata_then_contract_fields():
    metadata = receipt_metadata(TX, ATTACHMENT, ACCOUNT)
    assert metadata == {
        "attachment_id": "a1", "file_name": "r/1", "content_type": "image/png", "attachment_created_at": "2024-04-01T07:00:00.000Z",
        "transaction_id": "t1", "label": "Acme", "amount": 10.5, "currency": "EUR", "side": "debit", "settled_at": None,
        "emitted_at": "2024-03-31T22:30:00.000Z", "status": "pending", "updated_at": "2024-04-01T08:00:00.000Z",
        "bank_account_id": "acc", "bank_account_name": "Main", "iban": None,
    }


def test_given_transaction_with_embedded_attachments_when_record_then_urls_dropped():
    record = transaction_record(TX, "acc")
    assert "attachments" not in record and record["bank_account_id"] == "acc"


def test_given_attachment_when_index_record_then_size_as_int_and_expiry_from_signature():
    expires = url_expires_at(ATTACHMENT["url"], fetched_at=1711958400.0 + 60)
    record = receipt_index_record(receipt_metadata(TX, ATTACHMENT, ACCOUNT), ATTACHMENT, expires)
    assert record["size"] == 27965
    assert record["download_url_expires_at"] == "2024-04-01T08:30:00.000Z"


def test_given_url_without_signature_when_expiry_then_thirty_minutes_after_fetch():
    assert url_expires_at("https://files/x.pdf", fetched_at=1000.0) == 2800.0


def test_given_loose_numbers_when_converted_then_tolerated():
    assert (to_number("10,00"), to_number(3), to_number("n/a"), to_int("12"), to_int(""), to_int(None)) == (10.0, 3, None, 12, None, None)


def test_given_chunk_records_when_queued_then_queue_full_long_before_item_count_limit():
    queue = ByteBoundedQueue(budget_units=2500)
    chunk = Record(data={"content_base64": "A" * 4_000_000}, stream_name="receipts")
    assert weight(chunk) > 900 and weight(Record(data={"id": 1}, stream_name="transactions")) == 1
    queue.put(chunk)
    queue.put(chunk)
    queue.put(chunk)
    assert queue.full()
    queue.get()
    assert not queue.full() and queue.qsize() == 2 * weight(chunk)
