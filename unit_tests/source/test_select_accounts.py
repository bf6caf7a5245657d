"""Which bank accounts a sync reads: all of them (each once) or the configured ones."""

import pytest

from source_bank_receipts.config import ConfigError
from source_bank_receipts.context import select_accounts

MAIN, TRAVEL, CLOSED = {"id": "a1", "name": "Main"}, {"id": "a2", "name": "Travel"}, {"id": "a3", "status": "closed"}


@pytest.mark.parametrize(
    "accounts, wanted, expected_ids",
    [
        pytest.param([MAIN, TRAVEL, CLOSED], None, ["a1", "a2", "a3"], id="no filter reads every account, closed ones too"),
        pytest.param([MAIN, TRAVEL, MAIN], None, ["a1", "a2"], id="an account listed twice is read once"),
        pytest.param([MAIN, {"name": "no id"}], None, ["a1"], id="an entry without id is ignored"),
        pytest.param([MAIN, TRAVEL, CLOSED], ("a3", "a1"), ["a3", "a1"], id="filter keeps the configured accounts"),
    ],
)
def test_given_bank_accounts_when_selecting_then_each_wanted_account_once(accounts, wanted, expected_ids):
    assert [a["id"] for a in select_accounts(accounts, wanted)] == expected_ids


def test_given_filter_naming_unknown_account_when_selecting_then_config_error_lists_known_ids():
    with pytest.raises(ConfigError) as error:
        select_accounts([MAIN, TRAVEL], ("a9",))
    assert "a9" in str(error.value) and "a1, a2" in str(error.value)
