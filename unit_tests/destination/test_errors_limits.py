"""Drive's three limits are three different messages and decisions."""

import json

import httplib2
import pytest
from airbyte_cdk.models import FailureType
from googleapiclient.errors import HttpError

from destination_gdrive_receipts.drive.rate_limit import QUOTA, classify
from destination_gdrive_receipts.errors import translate


def http_error(status, reason):
    content = json.dumps({"error": {"code": status, "errors": [{"reason": reason}], "message": reason}}).encode()
    return HttpError(httplib2.Response({"status": status}), content)


@pytest.mark.parametrize("reason, words, failure", [
    ("storageQuotaExceeded", "Google Drive is full", FailureType.config_error),
    ("teamDriveFileLimitExceeded", "limit on the number of items", FailureType.config_error),
    ("dailyLimitExceeded", "daily Drive API request quota", FailureType.transient_error),
])
def test_given_a_limit_answer_when_translated_then_its_own_message_and_failure_type(reason, words, failure):
    assert classify(403, reason) == QUOTA            # none is retried within the sync
    error = translate(http_error(403, reason))
    assert words in error.message and error.failure_type == failure
    assert "Receipts filed before this point are safe" in error.message
