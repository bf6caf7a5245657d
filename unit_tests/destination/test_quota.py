import pytest

from destination_gdrive_receipts.drive.gateway import DriveFullError
from destination_gdrive_receipts.drive.quota import QuotaGuard, free_bytes


@pytest.mark.parametrize("quota, free", [
    ({"usage": "10"}, None), ({"limit": "100", "usage": "40"}, 60), ({"limit": "0", "usage": "0"}, 0),
])
def test_given_storage_quota_when_read_then_free_bytes(quota, free):
    assert free_bytes(quota) == free


def test_given_100_bytes_free_when_reserving_then_the_file_that_does_not_fit_stops_the_sync():
    calls = []
    guard = QuotaGuard(lambda: calls.append(1) or {"storageQuota": {"limit": "100", "usage": "0"}}, shared_drive=False)
    guard.reserve(60)
    guard.reserve(40)
    with pytest.raises(DriveFullError, match="does not fit"):
        guard.reserve(1)
    assert calls == [1]


def test_given_shared_drive_when_reserving_then_user_quota_is_not_consulted():
    guard = QuotaGuard(lambda: pytest.fail("about.get must not be called"), shared_drive=True)
    guard.reserve(10**12)
