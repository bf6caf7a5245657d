"""Listing pages: key-based continuation, both page parameter names, termination rules."""

import pytest

from source_bank_receipts.paging import PageToken, has_more, next_page_token, transactions_params

T0 = "2024-01-01T00:00:00.000Z"


def rows(*stamps):
    return [{"id": f"t{i}", "updated_at": stamp} for i, stamp in enumerate(stamps)]


def test_given_token_when_params_built_then_one_status_sorted_ascending_with_both_page_names():
    params = transactions_params("acc", "pending", PageToken(T0, 3), "2024-02-01T00:00:00.000Z", with_attachments=True)
    assert params == {
        "bank_account_id": "acc", "status[]": "pending", "sort_by": "updated_at:asc",
        "updated_at_from": T0, "updated_at_to": "2024-02-01T00:00:00.000Z", "per_page": 100,
        "page": 3, "current_page": 3, "includes[]": "attachments", "with_attachments": "true",
    }


def test_given_full_page_when_next_token_then_continue_from_last_key_on_page_one():
    page = rows(T0, "2024-01-02T00:00:00.000Z", "2024-01-03T00:00:00.000Z")
    token = next_page_token(PageToken(T0), page, {"current_page": 1, "next_page": 2}, per_page=3)
    assert token == PageToken("2024-01-03T00:00:00.000Z", 1)


def test_given_page_all_at_the_starting_instant_when_next_token_then_page_number_advances():
    page = rows(T0, T0, T0)
    assert next_page_token(PageToken(T0, 2), page, {"current_page": 2, "next_page": 3}, per_page=3) == PageToken(T0, 3)


@pytest.mark.parametrize(
    "page, meta, more",
    [
        pytest.param(rows(T0, T0), {"current_page": 1, "next_page": None}, False, id="last-page-null"),
        pytest.param(rows(T0, T0), {"current_page": 1, "next_page": 0}, False, id="next-page-zero"),
        pytest.param(rows(T0, T0), {"current_page": 2, "next_page": 2}, False, id="next-not-after-current"),
        pytest.param([], {"current_page": 1, "next_page": 2}, False, id="empty-page"),
        pytest.param(rows(T0, T0), None, True, id="no-meta-full-page"),
        pytest.param(rows(T0), None, False, id="no-meta-short-page"),
        pytest.param(rows(T0), {"current_page": 1, "next_page": 2}, True, id="meta-says-more"),
    ],
)
def test_given_answer_when_has_more_then_follows_meta_else_page_size(page, meta, more):
    assert has_more(page, meta, per_page=2) is more


def test_given_several_statuses_when_params_built_then_sent_as_repeated_status_values():
    params = transactions_params("acc", ("completed", "pending"), PageToken(T0), "2024-02-01T00:00:00.000Z")
    assert params["status[]"] == ["completed", "pending"]
