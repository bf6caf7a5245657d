"""Turns what can go wrong into one readable sentence, as an Airbyte traced exception.

Used by check (FAILED status) and write (TRACE error). No secret, token or traceback is quoted.
"""

from __future__ import annotations

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from googleapiclient.errors import HttpError

from destination_gdrive_receipts.filing.assembly import ChunkError
from destination_gdrive_receipts.drive.gateway import DailyLimitError, DriveFullError, SharedDriveFullError
from destination_gdrive_receipts.filing.root import SERVICE_ACCOUNT_HINT, ParentFolderError
from destination_gdrive_receipts.drive.rate_limit import TRANSPORT_ERRORS, error_reason

SAFE = "Receipts filed before this point are safe and the sync's progress up to them was saved."
FULL_HINT = f"{SAFE} Free up space in Google Drive (or add storage) and run the sync again."
SHARED_DRIVE_FULL = (f"The shared drive holding the root folder has reached Google's limit on the number of items "
                     f"(400,000 files and folders, its trash included). {SAFE} Empty the shared drive's trash, move "
                     "older years to another shared drive, or set Parent folder ID to another shared drive.")
DAILY_LIMIT = (f"The Google Cloud project's daily Drive API request quota is used up (dailyLimitExceeded). {SAFE} "
               "The sync can run again once the quota resets (daily, Pacific time), or raise the Drive API quota "
               "of the project in the Google Cloud console.")


def translate(error: BaseException, *, service_account: bool = False) -> AirbyteTracedException:
    if isinstance(error, AirbyteTracedException):
        return error
    message, kind = _describe(error, service_account)
    return AirbyteTracedException(message=message, internal_message=f"{type(error).__name__}: {message}",
                                  failure_type=kind, exception=error)


def _describe(error: BaseException, service_account: bool) -> tuple[str, FailureType]:
    config, system, transient = FailureType.config_error, FailureType.system_error, FailureType.transient_error
    if isinstance(error, SharedDriveFullError):
        return SHARED_DRIVE_FULL, config
    if isinstance(error, DailyLimitError):
        return DAILY_LIMIT, transient
    if isinstance(error, DriveFullError):
        if service_account:
            return f"Google Drive refused the file ({error}). {SERVICE_ACCOUNT_HINT}", config
        return f"Google Drive is full: {error}. {FULL_HINT}", config
    if isinstance(error, ParentFolderError):
        return str(error), config
    if isinstance(error, ChunkError):
        return f"A receipt arrived damaged and was not uploaded: {error}", system
    if isinstance(error, RefreshError):
        return ("Google refused to renew the access: the refresh token is invalid, expired or revoked, or the client "
                "ID/secret do not match it. Sign in with Google again."), config
    if isinstance(error, TransportError):
        return f"Google's sign-in endpoint is unreachable: {_short(error)}. Check the network or drive_api_url.", transient
    if isinstance(error, GoogleAuthError):
        return f"The Google credentials cannot be used: {_short(error)}.", config
    if isinstance(error, HttpError):
        return _http(error, service_account)
    if isinstance(error, TRANSPORT_ERRORS):
        return f"Google Drive is unreachable ({type(error).__name__}). Check the network or drive_api_url.", transient
    return f"Unexpected error while writing to Google Drive: {type(error).__name__}: {_short(error)}", system


def _http(error: HttpError, service_account: bool) -> tuple[str, FailureType]:
    status, reason = error.resp.status, error_reason(error.content)
    if status == 401:
        return "Google Drive refused the credentials (401). Sign in with Google again.", FailureType.config_error
    if status == 403 and reason in ("insufficientPermissions", "insufficientFilePermissions", "appNotAuthorizedToFile",
                                    "forbidden", "accessNotConfigured"):
        hint = " Enable the Google Drive API in the Google Cloud project." if reason == "accessNotConfigured" else ""
        return f"Google Drive denied access ({reason}).{hint}", FailureType.config_error
    if status == 403 and reason == "storageQuotaExceeded":
        return _describe(DriveFullError(reason), service_account)
    if status == 403 and reason == "teamDriveFileLimitExceeded":
        return _describe(SharedDriveFullError(reason), service_account)
    if status == 403 and reason == "dailyLimitExceeded":
        return _describe(DailyLimitError(reason), service_account)
    if status == 404:
        return f"A Drive folder or file vanished or is not visible to this connector ({reason}).", FailureType.system_error
    kind = FailureType.transient_error if status >= 500 or status == 429 else FailureType.system_error
    return f"Google Drive answered {status} {reason or ''}".strip() + ".", kind


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:300]
