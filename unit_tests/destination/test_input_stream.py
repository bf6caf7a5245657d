import io
import json

from airbyte_cdk.models import Type

from destination_gdrive_receipts.destination import DestinationGdriveReceipts

RECORD = {"type": "RECORD", "record": {"stream": "receipts", "data": {"attachment_id": "a-é"}, "emitted_at": 1}}
STATE = {"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_descriptor": {"name": "receipts"}}}}


def test_given_stdin_bytes_with_a_broken_line_when_parsed_then_valid_messages_come_through_in_order():
    raw = (json.dumps(RECORD, ensure_ascii=False) + "\nnot json\n" + json.dumps(STATE) + "\n").encode()
    messages = list(DestinationGdriveReceipts()._parse_input_stream(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")))
    assert [m.type for m in messages] == [Type.RECORD, Type.STATE]
    assert messages[0].record.data == {"attachment_id": "a-é"}
