from destination_gdrive_receipts.filing.index_buffer import IndexBuffer


def test_given_repeated_attachment_when_buffered_then_only_its_last_record_is_kept():
    buffer = IndexBuffer()
    buffer.add({"attachment_id": "a", "v": 1})
    buffer.add({"attachment_id": "b", "v": 1})
    buffer.add({"attachment_id": "a", "v": 2})
    buffer.add({"v": "no id"})
    assert [(r["attachment_id"], r["v"]) for r in buffer] == [("b", 1), ("a", 2)]
    assert len(buffer) == 2
