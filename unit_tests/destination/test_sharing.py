import pytest

from destination_gdrive_receipts.config import Share
from destination_gdrive_receipts.drive.sharing import plan_shares

OWNER = {"id": "p0", "type": "user", "role": "owner", "emailAddress": "me@example.com"}
ACC = "acc@example.com"


def perm(role, *, inherited=None, email=ACC):
    p = {"id": "p1", "type": "user", "role": role, "emailAddress": email}
    if inherited is not None:
        p["permissionDetails"] = [{"inherited": inherited, "role": role}]
    return p


@pytest.mark.parametrize("wanted, existing, create, kept", [
    pytest.param([Share(ACC)], [OWNER], [Share(ACC)], [], id="new-person-is-granted"),
    pytest.param([Share(ACC)], [OWNER, perm("reader") | {"emailAddress": "ACC@example.com"}], [], [],
                 id="already-shared-is-noop"),
    pytest.param([Share(ACC, "writer")], [perm("reader", inherited=False)], [], [(Share(ACC, "writer"), "reader")],
                 id="hand-set-lower-role-is-left-alone"),
    pytest.param([Share(ACC, "reader")], [perm("writer")], [], [(Share(ACC, "reader"), "writer")],
                 id="hand-set-higher-role-is-never-downgraded"),
    pytest.param([Share("me@example.com", "reader")], [OWNER], [], [(Share("me@example.com"), "owner")],
                 id="owner-is-left-alone"),
    pytest.param([Share(ACC, "reader")], [perm("writer", inherited=True)], [], [], id="inherited-higher-needs-nothing"),
    pytest.param([Share(ACC, "writer")], [perm("reader", inherited=True)], [Share(ACC, "writer")], [],
                 id="inherited-lower-gets-a-direct-grant"),
    pytest.param([Share(ACC, "writer")], [{"id": "d", "type": "domain", "role": "writer", "domain": "example.com"}],
                 [Share(ACC, "writer")], [], id="domain-grants-are-not-a-person"),
])
def test_given_permissions_when_planning_then_only_missing_grants_are_created(wanted, existing, create, kept):
    assert plan_shares(wanted, existing) == (create, kept)
