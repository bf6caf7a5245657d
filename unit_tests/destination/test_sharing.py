import pytest

from destination_gdrive_receipts.config import Share
from destination_gdrive_receipts.drive.sharing import missing_shares

OWNER = {"id": "p0", "type": "user", "role": "owner", "emailAddress": "me@example.com"}


@pytest.mark.parametrize("wanted, existing, expected", [
    pytest.param([Share("acc@example.com")], [OWNER], [(Share("acc@example.com"), None)], id="new-person-is-granted"),
    pytest.param([Share("acc@example.com")], [OWNER, {"id": "p1", "type": "user", "role": "reader",
                                                     "emailAddress": "ACC@example.com"}], [], id="already-shared-is-noop"),
    pytest.param([Share("acc@example.com", "writer")], [{"id": "p1", "type": "user", "role": "reader",
                                                         "emailAddress": "acc@example.com"}],
                 [(Share("acc@example.com", "writer"), "p1")], id="role-change-updates-the-permission"),
    pytest.param([Share("me@example.com", "reader")], [OWNER], [], id="owner-is-never-downgraded"),
])
def test_given_permissions_when_comparing_then_only_missing_ones_are_written(wanted, existing, expected):
    assert missing_shares(wanted, existing) == expected
