"""A filed receipt's identity and what the connector recorded when it filed it (pure; table-tested).

The rules every file the connector files for an attachment follows, in one place: the receipt, and
any variant of it filed beside it (a sealed copy, say) with its own `kind`.
- Identity: `att`, the bank's attachment id (a digest when too long), and `var` for a variant other
  than the original (the bank's sealed copy: `probative`), never the name or the place.
- Filed facts, in private appProperties, written with the file and only by the connector:
  `sha` and `md5` of the bank's bytes when they were filed, `fp` the period folder it was filed
  for, `tx` the transaction it belonged to. Drive's own `md5Checksum` says what the file holds now,
  which the user may have changed (a new version); the filed facts say what the bank sent.
"""

from __future__ import annotations

from destination_gdrive_receipts.drive.inventory import ORIGINAL_VARIANT, PERIOD, RECEIPT, Entry, marker_value

SHA, MD5, FILED_PERIOD, TRANSACTION = "sha", "md5", "fp", "tx"


def filed_markers(root_id: str, attachment_id: str, *, sha256: str | None, md5: str | None = None,
                  period: str | None = None, transaction_id: str | None = None, kind: str = RECEIPT,
                  variant: str = ORIGINAL_VARIANT) -> dict[str, str]:
    """The markers of a file whose bytes are written now; a sealed copy also carries `var` (originals carry
    none, so archives from before sealed copies stay as they are)."""
    markers = {"kind": kind, "root": root_id, "att": marker_value("att", attachment_id)}
    if variant != ORIGINAL_VARIANT:
        markers["var"] = variant
    for key, value in ((SHA, sha256), (MD5, md5), (FILED_PERIOD, period)):
        if value:
            markers[key] = value
    if transaction_id:
        markers[TRANSACTION] = marker_value(TRANSACTION, transaction_id)
    return markers


def bank_changed(entry: Entry, *, sha256: str | None, md5: str) -> bool:
    """Whether the bank's bytes differ from those filed, whatever the file holds now."""
    recorded = entry.markers.get(SHA)
    if recorded and sha256:
        return recorded != sha256
    return entry.md5 != md5      # no digest recorded: Drive's checksum is all there is to compare


def user_changed(entry: Entry) -> bool:
    """Whether the file's content is no longer what was filed (the user uploaded a version of theirs)."""
    recorded = entry.markers.get(MD5)
    return bool(recorded) and entry.md5 is not None and entry.md5 != recorded


def may_hold_user_version(entry: Entry) -> bool:
    """Whether the current content may be the user's: known to be (user_changed), or unknowable (filed by
    0.2.0, which recorded no MD5). Either way it is kept for good before the bank's new bytes replace it."""
    return user_changed(entry) or not entry.markers.get(MD5)


def where_filed(entry: Entry, folder: Entry | None, account_marker: str) -> bool:
    """Whether the file is still directly in the period folder the connector filed it into.

    Anywhere else — a sub-folder of the period, another period, a folder outside the root — is the
    user's filing, which the connector never undoes. Files from before `fp` was recorded count as
    filed where they are when that is one of the account's period folders.
    """
    if folder is None or folder.kind != PERIOD or folder.markers.get("acct") != account_marker:
        return False
    filed = entry.markers.get(FILED_PERIOD)
    return filed is None or filed == folder.markers.get("period")


def account_marker(account_id: str) -> str:
    return marker_value("acct", account_id)
