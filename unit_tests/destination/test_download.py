import hashlib
import traceback

import pytest
import requests

from destination_gdrive_receipts.filing.download import (
    UrlExpired, UrlRefused, UrlUnavailable, check_url, download, is_expired,
)


@pytest.mark.parametrize("url", [
    "https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf?sig=1", "https://s3.eu-central-1.amazonaws.com/qonto/f",
    "https://files.qonto.com/f", "https://x.staging.qonto.co/f",
    "http://127.0.0.1:8080/f", "http://localhost/f", "https://127.0.0.1:8443/f"])
def test_given_https_bank_file_host_or_loopback_url_when_checked_then_allowed(url):
    check_url(url)


@pytest.mark.parametrize("url", [
    "http://bank.example/f.pdf", "file:///etc/passwd", "ftp://127.0.0.1/f", "", "https:///x",
    "http://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf", "https://bank.example/f.pdf",
    "https://evil.example/qonto.com", "https://amazonaws.com.evil.example/f", "https://qonto.com.evil.example/f",
    "https://169.254.169.254/latest/meta-data"])
def test_given_other_host_or_scheme_when_checked_then_refused(url):
    with pytest.raises(UrlRefused):
        check_url(url)


def test_given_past_expiry_when_downloading_then_expired_without_any_request():
    assert is_expired("2000-01-01T00:00:00Z")
    assert not is_expired(None) and not is_expired("2999-01-01T00:00:00Z")
    with pytest.raises(UrlExpired):
        download("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf", expires_at="2000-01-01T00:00:00Z")


def test_given_bank_refuses_url_when_downloading_then_expired(requests_mock):
    requests_mock.get("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf", status_code=403)
    with pytest.raises(UrlExpired):
        download("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf")


def test_given_redirect_to_plain_http_host_when_downloading_then_refused(requests_mock):
    requests_mock.get("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf", status_code=302, headers={"location": "http://evil.example/f"})
    with pytest.raises(UrlRefused):
        download("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf")


def test_given_file_when_downloaded_then_size_and_checksums_are_known(requests_mock):
    requests_mock.get("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf", content=b"%PDF-1.4 receipt")
    got = download("https://qonto-prod.s3.eu-central-1.amazonaws.com/f.pdf", expected_size=16)
    assert (got.size, got.file.read()) == (16, b"%PDF-1.4 receipt")
    assert got.md5 == hashlib.md5(b"%PDF-1.4 receipt").hexdigest()
    assert got.sha256 == hashlib.sha256(b"%PDF-1.4 receipt").hexdigest()


SIGNED_URL = "https://qonto-prod.s3.eu-central-1.amazonaws.com/receipts/f.pdf?X-Amz-Signature=s3cr3t-signature"


@pytest.mark.parametrize("answer", [
    pytest.param({"exc": requests.ConnectionError(f"Max retries exceeded with url: {SIGNED_URL}")}, id="unreachable"),
    pytest.param({"exc": requests.ReadTimeout(f"Read timed out: {SIGNED_URL}")}, id="timeout"),
    pytest.param({"status_code": 503}, id="server-error-that-persists"),
    pytest.param({"status_code": 400}, id="bad-request"),
])
def test_given_bank_download_failing_when_downloading_then_unavailable_and_the_signed_url_stays_out_of_the_error(
        requests_mock, answer):
    requests_mock.get(SIGNED_URL, **answer)
    with pytest.raises(UrlUnavailable) as caught:
        download(SIGNED_URL, sleep=lambda _: None)
    shown = "".join(traceback.format_exception(caught.value))
    assert "s3cr3t" not in shown and "/receipts/f.pdf" not in shown


def test_given_destination_metadata_when_read_then_allowed_hosts_declare_every_bank_file_host():
    from pathlib import Path

    import yaml

    from destination_gdrive_receipts.filing.download import BANK_FILE_HOSTS
    metadata = Path(__file__).resolve().parents[2] / "connectors" / "destination-gdrive-receipts" / "metadata.yaml"
    hosts = yaml.safe_load(metadata.read_text())["data"]["allowedHosts"]["hosts"]
    assert set(BANK_FILE_HOSTS) <= set(hosts)
