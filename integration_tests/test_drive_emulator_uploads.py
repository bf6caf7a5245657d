"""Drive emulator uploads: multipart (LF and CRLF), resumable sessions with faults, idempotent creates."""
import hashlib
import io
import json

import httplib2
import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.emulators.drive import FOLDER
from integration_tests.drive_client_fixtures import drive, emu  # noqa: F401 (fixtures)
from integration_tests.emulators.drive.client import build_drive

KIB256 = 256 * 1024


@pytest.fixture
def root(drive):
    return drive.files().create(body={"name": "Qonto", "mimeType": FOLDER}, fields="id").execute()["id"]


def _payload(size: int) -> bytes:
    return hashlib.sha256(str(size).encode()).digest() * (size // 32) + b"\x00\r\n-"[: size % 32]


def _resumable(drive, data, parent, chunksize=KIB256, **body):
    media = MediaIoBaseUpload(io.BytesIO(data), "application/pdf", chunksize=chunksize, resumable=True)
    return drive.files().create(body={"name": "big.pdf", "parents": [parent], **body}, media_body=media,
                                fields="id,size,md5Checksum,sha256Checksum")


def _finish(request, max_errors=5):
    """The caller's own loop: next_chunk(num_retries=0) again after an error resumes with `bytes */N`."""
    errors, response = [], None
    while response is None:
        try:
            _, response = request.next_chunk()
        except (HttpError, ConnectionError, httplib2.HttpLib2Error) as exc:
            errors.append(exc)
            if len(errors) > max_errors:
                raise
    return response, errors


def test_given_client_multipart_upload_when_created_then_bytes_and_checksums_match(emu, drive, root):
    data = b"%PDF-1.7\n--===============\r\n\x00\xff" * 50
    media = MediaIoBaseUpload(io.BytesIO(data), "application/pdf")
    created = drive.files().create(body={"name": "r.pdf", "parents": [root], "appProperties": {"att": "a1"}},
                                   media_body=media, fields="id,size,md5Checksum,sha256Checksum,mimeType").execute()
    assert created["size"] == str(len(data))
    assert created["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert created["sha256Checksum"] == hashlib.sha256(data).hexdigest()
    assert created["mimeType"] == "application/pdf"
    assert emu.content(created["id"]) == data
    assert emu.counts["upload.multipart"] == 1


def test_given_crlf_multipart_from_another_client_when_posted_then_parsed_the_same(emu, root):
    data = b"line one\r\nline two\r\n"
    boundary = "foo_bar_baz"
    body = (f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
            + json.dumps({"name": "crlf.pdf", "parents": [root]})
            + f"\r\n--{boundary}\r\nContent-Type: application/pdf\r\n\r\n").encode() + data \
        + f"\r\n--{boundary}--\r\n".encode()
    answer = requests.post(f"{emu.url}upload/drive/v3/files?uploadType=multipart&fields=id,md5Checksum",
                           data=body, headers={"Authorization": f"Bearer {emu.issue_access_token()}",
                                               "Content-Type": f"multipart/related; boundary={boundary}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert emu.paths() == ["Qonto/crlf.pdf"]


def test_given_resumable_upload_in_chunks_when_done_then_one_file_with_right_content(emu, drive, root):
    data = _payload(3 * KIB256 + 1000)
    response, errors = _finish(_resumable(drive, data, root))
    assert errors == []
    assert response["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert emu.content(response["id"]) == data
    assert (emu.counts["upload.resumable"], emu.counts["upload.chunk"], emu.counts["write"]) == (1, 4, 2)


def test_given_503_then_dropped_connection_mid_chunk_when_resumed_then_upload_completes_exactly(emu, drive, root):
    data = _payload(5 * KIB256 + 123)
    emu.faults.add("PUT", r"/upload/", status=503, times=1)
    request = _resumable(drive, data, root, chunksize=2 * KIB256)
    with pytest.raises(HttpError) as caught:
        request.next_chunk()
    assert caught.value.status_code == 503
    request.next_chunk()  # `bytes */N` → 308 without Range, then the first chunk
    emu.faults.add("PUT", r"/upload/", reset=True, times=1)
    with pytest.raises((ConnectionError, httplib2.HttpLib2Error)):
        request.next_chunk()  # second chunk: the server keeps its first 256 KiB, then hangs up
    response, errors = _finish(request)
    assert errors == []
    assert response["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert emu.content(response["id"]) == data
    assert len(emu.find(name="big.pdf")) == 1
    # 503, status query + chunk 1, reset chunk 2, status query (server kept 256 KiB) + rest of chunk 2, last
    assert emu.counts["upload.chunk"] == 7


def test_given_status_query_when_session_incomplete_then_308_with_range(emu, drive, root):
    token = emu.issue_access_token()
    start = requests.post(f"{emu.url}upload/drive/v3/files?uploadType=resumable",
                          json={"name": "q.pdf", "parents": [root]},
                          headers={"Authorization": f"Bearer {token}", "X-Upload-Content-Length": str(KIB256 + 5)})
    session = start.headers["Location"]
    assert start.status_code == 200 and session.startswith(emu.url)
    empty = requests.put(session, headers={"Content-Range": f"bytes */{KIB256 + 5}"})
    assert (empty.status_code, "Range" in empty.headers, empty.headers["Content-Length"]) == (308, False, "0")
    chunk = requests.put(session, data=b"x" * KIB256, headers={"Content-Range": f"bytes 0-{KIB256 - 1}/{KIB256 + 5}"})
    assert (chunk.status_code, chunk.headers["Range"]) == (308, f"bytes=0-{KIB256 - 1}")
    small = requests.put(session, data=b"x" * 10, headers={"Content-Range": f"bytes {KIB256}-{KIB256 + 9}/*"})
    assert small.status_code == 400  # a non-final chunk under 256 KiB
    last = requests.put(session, data=b"y" * 5, headers={"Content-Range": f"bytes {KIB256}-{KIB256 + 4}/{KIB256 + 5}"})
    assert last.status_code == 200 and emu.content(last.json()["id"]) == b"x" * KIB256 + b"y" * 5
    again = requests.put(session, headers={"Content-Range": f"bytes */{KIB256 + 5}"})
    assert (again.status_code, again.json()["id"]) == (200, last.json()["id"])


def test_given_unknown_session_when_chunk_sent_then_404(emu):
    answer = requests.put(f"{emu.url}upload/drive/v3/files?uploadType=resumable&upload_id=nope",
                          data=b"abc", headers={"Content-Range": "bytes 0-2/3"})
    assert answer.status_code == 404


def test_given_empty_resumable_file_when_put_without_range_then_created_empty(emu, root):
    token = emu.issue_access_token()
    session = requests.post(f"{emu.url}upload/drive/v3/files?uploadType=resumable",
                            json={"name": "empty.pdf", "parents": [root]},
                            headers={"Authorization": f"Bearer {token}"}).headers["Location"]
    done = requests.put(session, data=b"", params={"fields": "size"})
    assert done.status_code == 200
    assert emu.find(name="empty.pdf")[0].size == 0


def test_given_generated_id_when_create_replayed_then_409_file_id_in_use_and_one_file(emu, drive, root):
    file_id = drive.files().generateIds(count=1, space="drive").execute()["ids"][0]
    body = {"id": file_id, "name": "r.pdf", "parents": [root]}
    for attempt in range(2):
        media = MediaIoBaseUpload(io.BytesIO(b"receipt"), "application/pdf")
        request = drive.files().create(body=body, media_body=media, fields="id")
        if attempt == 0:
            assert request.execute() == {"id": file_id}
        else:
            with pytest.raises(HttpError) as caught:
                request.execute()
    assert (caught.value.status_code, caught.value.error_details[0]["reason"]) == (409, "fileIdInUse")
    assert [f.id for f in emu.find(name="r.pdf")] == [file_id]


def test_given_id_not_from_generate_ids_when_creating_then_400(drive, root):
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"id": "1" + "a" * 32, "name": "x", "parents": [root]}).execute()
    assert caught.value.status_code == 400


def test_given_commit_then_fail_when_client_retries_with_generated_id_then_exactly_one_file(emu, drive, root):
    file_id = drive.files().generateIds(count=1).execute()["ids"][0]
    emu.faults.add("POST", r"/upload/drive/v3/files", status=500, commit_then_fail=True)
    media = MediaIoBaseUpload(io.BytesIO(b"receipt"), "application/pdf")
    request = drive.files().create(body={"id": file_id, "name": "r.pdf", "parents": [root]}, media_body=media)
    request._sleep = lambda seconds: None
    with pytest.raises(HttpError) as caught:
        request.execute(num_retries=2)  # 500 (but committed) → retried → 409
    assert caught.value.status_code == 409
    assert [f.id for f in emu.find(name="r.pdf")] == [file_id]
    assert emu.counts["upload.multipart"] == 2


def test_given_resumable_update_when_uploaded_then_content_replaced(emu, drive, root):
    created = drive.files().create(body={"name": "r.pdf", "parents": [root]}, fields="id",
                                   media_body=MediaIoBaseUpload(io.BytesIO(b"v1"), "application/pdf")).execute()
    data = _payload(KIB256 + 7)
    media = MediaIoBaseUpload(io.BytesIO(data), "application/pdf", chunksize=KIB256, resumable=True)
    response, _ = _finish(drive.files().update(fileId=created["id"], media_body=media, body={}, fields="size"))
    assert response == {"size": str(len(data))}
    assert emu.content(created["id"]) == data


def test_given_parallel_uploaders_with_own_clients_when_uploading_then_every_file_lands_once(emu, root):
    from concurrent.futures import ThreadPoolExecutor

    def upload_batch(worker):
        drive = build_drive(emu)  # httplib2 is not thread-safe: one client per worker
        for index in range(5):
            media = MediaIoBaseUpload(io.BytesIO(f"{worker}-{index}".encode()), "application/pdf")
            drive.files().create(body={"name": f"{worker}-{index}.pdf", "parents": [root]},
                                 media_body=media).execute()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(upload_batch, range(4)))
    assert emu.paths() == sorted(f"Qonto/{w}-{i}.pdf" for w in range(4) for i in range(5))
    assert emu.content(emu.find(name="3-4.pdf")[0].id) == b"3-4"
