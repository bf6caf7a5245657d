"""Pure parts of the Drive emulator: q language, fields masks, multipart parsing."""
from types import SimpleNamespace

import pytest

from integration_tests.emulators.drive import fields, multipart
from integration_tests.emulators.drive.query import QueryError, compile_query, word_prefix_match


class _Ctx:
    def resolve_id(self, file_id):
        return "ROOT" if file_id == "root" else file_id

    def owner_emails(self, record):
        return ["me"]


def _file(**overrides):
    base = dict(name="2025-04-03 ACME.pdf", mime_type="application/pdf", trashed=False, starred=False,
                parents=["P1"], app_properties={"att": "a1"}, properties={},
                created_time="2025-04-03T10:00:00.000Z", modified_time="2025-04-03T10:00:00.000Z")
    return SimpleNamespace(**{**base, **overrides})


@pytest.mark.parametrize("q, record, expected", [
    ("name = '2025-04-03 ACME.pdf'", _file(), True),
    ("name = '2025-04-03 acme.PDF'", _file(), True),
    ("name != 'x'", _file(), True),
    ("name = 'O\\'Brien'", _file(name="O'Brien"), True),
    ("name = 'back\\\\slash'", _file(name="back\\slash"), True),
    ("'P1' in parents", _file(), True),
    ("'P2' in parents", _file(), False),
    ("'root' in parents", _file(parents=["ROOT"]), True),
    ("mimeType = 'application/vnd.google-apps.folder'", _file(), False),
    ("trashed = false", _file(), True),
    ("trashed = true", _file(), False),
    ("appProperties has { key='att' and value='a1' }", _file(), True),
    ("appProperties has { key='att' and value='a2' }", _file(), False),
    ("'P1' in parents and (name = 'x' or trashed = false)", _file(), True),
    ("not trashed = false", _file(), False),
    ("'P1' in parents and not name = 'x' and trashed != true", _file(), True),
    ("modifiedTime > '2025-04-03T09:00:00'", _file(), True),
    ("createdTime >= '2025-04-04T00:00:00Z'", _file(), False),
    ("name contains 'acme'", _file(), True),
    ("'me' in owners", _file(), True),
], ids=lambda value: value if isinstance(value, str) else None)
def test_given_query_when_evaluated_then_matches_like_drive(q, record, expected):
    assert compile_query(q)(_Ctx(), record) is expected


@pytest.mark.parametrize("q", [
    "", "name = ACME", "name = 'unterminated", "fullText contains 'x'", "name in parents",
    "'P1' in writers", "trashed = 'false'", "name < 'b'", "(name = 'a'", "name = 'a' and",
    "appProperties has { key='k' }", "sharedWithMe", "name = 'a' xor name = 'b'", "name = 'bad \\n escape'",
    "starred = maybe", "modifiedTime > 'yesterday'",
])
def test_given_unsupported_or_invalid_query_when_compiled_then_query_error(q):
    with pytest.raises(QueryError):
        compile_query(q)


@pytest.mark.parametrize("name, text, expected", [
    ("HelloWorld", "Hello", True), ("HelloWorld", "World", False), ("Hello World", "world", True),
    ("2025-04-03 ACME 12.50", "ACME", True), ("2025-04-03 ACME", "CME", False),
])
def test_given_name_contains_when_matched_then_word_prefix_semantics(name, text, expected):
    assert word_prefix_match(name, text) is expected


@pytest.mark.parametrize("mask, body, expected", [
    ("id,name", {"id": "1", "name": "n", "size": "3"}, {"id": "1", "name": "n"}),
    ("capabilities/canAddChildren", {"capabilities": {"canAddChildren": True, "canEdit": True}},
     {"capabilities": {"canAddChildren": True}}),
    ("files(id,appProperties),nextPageToken", {"kind": "drive#fileList", "nextPageToken": "t",
                                                "files": [{"id": "1", "name": "n", "appProperties": {"a": "b"}}]},
     {"nextPageToken": "t", "files": [{"id": "1", "appProperties": {"a": "b"}}]}),
    ("files/id", {"files": [{"id": "1", "name": "n"}]}, {"files": [{"id": "1"}]}),
    ("*", {"id": "1", "name": "n"}, {"id": "1", "name": "n"}),
    ("files(*)", {"kind": "k", "files": [{"id": "1"}]}, {"files": [{"id": "1"}]}),
])
def test_given_fields_mask_when_projected_then_only_selected_fields_remain(mask, body, expected):
    resource = "FileList" if "files" in body else "File"
    assert fields.select(body, mask, resource, "kind") == expected


@pytest.mark.parametrize("mask, resource", [
    ("id,nmae", "File"), ("files(id,bogus)", "FileList"), ("id,", "File"), ("files(id", "FileList"),
    ("capabilities/canFly", "File"), ("storageQuota/limitless", "About"),
])
def test_given_bad_fields_mask_when_validated_then_fields_error(mask, resource):
    with pytest.raises(fields.FieldsError):
        fields.select({}, mask, resource, "kind")


_PAYLOAD = b"%PDF-1.4\r\n\n--not-a-boundary\r\n\x00\xff binary \n"


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["LF", "CRLF"])
def test_given_multipart_related_body_when_parsed_then_metadata_and_media_round_trip(newline):
    boundary = b"===============3945908720696831630=="
    body = newline.join([
        b"--" + boundary, b"Content-Type: application/json", b"MIME-Version: 1.0", b"",
        b'{"name": "r.pdf"}',
        b"--" + boundary, b"Content-Type: application/pdf", b"Content-Transfer-Encoding: binary", b"",
        _PAYLOAD,
        b"--" + boundary + b"--", b""])
    meta, media_type, media = multipart.parse_related(body, 'multipart/related; boundary="%s"' % boundary.decode())
    assert (meta, media_type, media) == (b'{"name": "r.pdf"}', "application/pdf", _PAYLOAD)


def test_given_multipart_without_closing_delimiter_when_parsed_then_error():
    with pytest.raises(multipart.MultipartError):
        multipart.parse_related(b"--b\nContent-Type: application/json\n\n{}\n--b\n\nxx", "multipart/related; boundary=b")


def test_given_batch_responses_when_built_then_client_can_split_each_part_on_crlf():
    body, content_type = multipart.build_batch_response(
        [multipart.InnerResponse("<abc + 1>", 200, "OK", {"Content-Type": "application/json"}, b'{"id": "1"}')])
    assert content_type.startswith("multipart/mixed; boundary=")
    assert b"Content-ID: <response-abc + 1>\r\n\r\nHTTP/1.1 200 OK\r\n" in body
    assert b'\r\n\r\n{"id": "1"}\r\n--' in body
