"""DriveEmulator: a loopback Google Drive v3 for tests, the demo and the benchmark.

Behaviour worth knowing (beyond the wire formats in reference/gdrive.md):
- counters count every request that reaches a route, including those answered with an error
  (401, injected fault, rate limit); batch parts count under their own route plus "batch" once;
  uploads count under "upload.multipart" / "upload.media" / "upload.resumable" (not "files.create");
- faults: the regex is *searched* in the path (anchor with ^), they also apply to batch parts;
  `reset=True` aborts with a TCP RST (on a chunk PUT the first whole 256 KiB blocks of the first
  half are kept, so the client must resume from the server's Range);
- drive.file: items made through the API are visible, user items only after grant_app_access;
- shared-drive items need supportsAllDrives (and includeItemsFromAllDrives to be listed);
  paths() shows them relative to their shared drive;
- creating inside a trashed folder succeeds and the child is not trashed (observed 2015, unverified);
- service_account: folders may still be created outside shared drives, files may not;
- upload session URIs need no Authorization header; a session ends after a failed finalisation;
- trashedTime only for items in shared drives (Drive v3 File resource);
- search lag (switch): name/property queries miss new items until catch_up_search(), parents and
  mimeType queries do not (kopia/kopia#90); sharing refusals (permissions.py); a shared-drive item
  cap answering teamDriveFileLimitExceeded (store.py).
Additions to the binding API: port=, token_uri, issue_access_token(), service_account_credentials()
(JWT-bearer grant at /token), user_untrash(), drives.get, files.get alt=media, CSV import into
Google Sheets and files.export as CSV (conversion.py, switches on `conversion`), the Sheets API v4
subset under /v4/spreadsheets (sheets/, switches on `sheets`); user_move() and
user_new_version() (the Drive UI's move and "Upload new version"), content revisions
(`headRevisionId` changes only with content; earlier contents kept, previous_versions()) and
revisions.update with keepForever (kept_forever()).
"""
from __future__ import annotations

import collections
import json
import contextlib
import threading

from .auth import OAuth
from .errors import not_found
from .faults import Faults, TokenBucket
from .server import DriveService, HttpServer
from .store import FOLDER, FileRecord, Store


class DriveEmulator:
    def __init__(self, *, write_rate_per_s: float | None = None, write_burst: int = 10,
                 quota_bytes: int | None = None, latency_ms: int = 0, service_account: bool = False,
                 port: int = 0):
        self._http = HttpServer(port)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/"
        self._store = Store(quota_bytes=quota_bytes, service_account=service_account)
        self._oauth = OAuth()
        bucket = TokenBucket(write_rate_per_s, write_burst) if write_rate_per_s else None
        self._service = DriveService(self._store, self._oauth, self.url, bucket)
        self._http.service = self._service
        self._http.latency_s = latency_ms / 1000
        self._thread: threading.Thread | None = None

    # ---- lifecycle
    def start(self) -> "DriveEmulator":
        if self._thread is None:
            self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), name="drive-emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.faults.release()   # hung requests end first, or shutting down would wait for them
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
            self._thread = None
        self._http.server_close()

    def __enter__(self) -> "DriveEmulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- credentials and config
    @property
    def token_uri(self) -> str:
        return self.url + "token"

    def oauth_credentials(self) -> dict:
        return self._oauth.credentials()

    def service_account_credentials(self) -> dict:
        """{"auth_type": "service_account", "service_account_info": <JSON key text>}, token_uri = this emulator."""
        return {"auth_type": "service_account",
                "service_account_info": json.dumps(self._oauth.service_account_info(self.token_uri))}

    @property
    def service_account_scopes(self) -> list[str]:
        """The OAuth scopes asked for by each service-account (JWT) sign-in so far."""
        return list(self._oauth.service_account_scopes)

    def issue_access_token(self) -> str:
        """A valid access token without going through /token (for raw HTTP calls in tests)."""
        return self._oauth.issue()

    def expire_access_tokens(self) -> None:
        self._oauth.expire_all()

    def destination_config(self, **overrides) -> dict:
        return {"credentials": self.oauth_credentials(), "drive_api_url": self.url, **overrides}

    # ---- world setup
    def create_shared_drive(self, name: str) -> str:
        with self._store.lock:
            record = self._store.create_root(name)
        return record.id

    def create_user_folder(self, name: str, parent: str | None = None) -> str:
        meta = {"name": name, "mimeType": FOLDER, "parents": [parent] if parent else None}
        with self._as_user():
            return self._store.create(meta, None, None, True, app_created=False).id

    # ---- realism switches
    def set_search_lag(self, on: bool = True) -> None:
        """On: items created from now are invisible to name/appProperties/properties queries until
        catch_up_search() (deterministic stand-in for Drive's search index lag)."""
        with self._store.lock:
            self._store.search_lag = on
            if not on:
                self._store.unindexed.clear()

    def catch_up_search(self) -> None:
        with self._store.lock:
            self._store.unindexed.clear()

    def add_address_without_google_account(self, email: str) -> None:
        with self._store.lock:
            self._store.addresses_without_account.add(email.lower())

    def set_shared_drive_member_role(self, role: str, *, sharing_folders_requires_organizer: bool = True) -> None:
        """The app's role on shared-drive items it creates from now ("fileOrganizer" = Content manager)."""
        with self._store.lock:
            self._store.member_role = role
            self._store.sharing_folders_requires_organizer = sharing_folders_requires_organizer

    def set_shared_drive_item_limit(self, limit: int | None) -> None:
        with self._store.lock:
            self._store.shared_drive_item_limit = limit

    def user_share(self, file_id: str, email: str, role: str) -> str:
        """The owner shares an item by hand in the Drive UI; returns the permission id."""
        from .permissions import make_permission, upsert
        with self._store.lock:
            self._record(file_id)
            permission = make_permission({"type": "user", "role": role, "emailAddress": email})
            upsert(self._store.permissions.setdefault(file_id, []), permission)
            return permission["id"]

    def grant_app_access(self, file_id: str) -> None:
        with self._store.lock:
            self._record(file_id)
            self._store.granted.add(file_id)

    # ---- inspection
    @property
    def files(self) -> dict[str, FileRecord]:
        return self._store.files

    def paths(self, include_trashed: bool = False) -> list[str]:
        with self._store.lock:
            kept = [r for r in self._store.files.values() if include_trashed or not r.trashed]
            parents = {p for r in kept for p in r.parents}
            out = [self._store.path_of(r) + ("/" if r.is_folder else "")
                   for r in kept if not r.is_folder or r.id not in parents]
        return sorted(out)

    def find(self, name: str | None = None, app_property: tuple[str, str] | None = None,
             parent: str | None = None, include_trashed: bool = False) -> list[FileRecord]:
        with self._store.lock:
            found = [r for r in self._store.files.values()
                     if (name is None or r.name == name)
                     and (parent is None or self._store.resolve(parent) in r.parents)
                     and (include_trashed or not r.trashed)
                     and (app_property is None or r.app_properties.get(app_property[0]) == app_property[1])]
        return sorted(found, key=lambda r: (r.created_time, r.id))

    def content(self, file_id: str) -> bytes:
        return self._record(file_id).content

    def previous_versions(self, file_id: str) -> list[bytes]:
        """Contents replaced by newer uploads, oldest first (Drive's version history of a blob file)."""
        return [content for _, content in self._record(file_id).previous]

    def kept_forever(self, file_id: str) -> list[bytes]:
        """Earlier contents marked keepForever (never purged by Drive)."""
        record = self._record(file_id)
        return [content for rev, content in record.previous if rev in record.kept_forever]

    def permissions(self, file_id: str) -> list[dict]:
        with self._store.lock:
            self._record(file_id)
            return [dict(p) for p in self._store.permissions.get(file_id, [])]

    # ---- what a user does in the Drive UI
    def user_trash(self, file_id: str) -> None:
        with self._store.lock:
            self._store.trash(self._record(file_id))

    def user_untrash(self, file_id: str) -> None:
        with self._store.lock:
            self._store.untrash(self._record(file_id))

    def user_delete(self, file_id: str) -> None:
        with self._store.lock:
            self._store.delete(self._record(file_id))

    def user_move(self, file_id: str, new_parent: str) -> None:
        """Drag to another folder in the Drive UI: one parent swapped for another (files.update with
        addParents/removeParents, https://developers.google.com/drive/api/guides/folder#move-files)."""
        with self._as_user():
            record = self._record(file_id)
            self._store.move(record, [new_parent], list(record.parents), True)
            self._store.touch(record)

    def user_new_version(self, file_id: str, content: bytes) -> None:
        """Manage versions → Upload new version: same file id, new content, appProperties kept
        (files.update with media, https://developers.google.com/drive/api/guides/manage-uploads)."""
        with self._as_user():
            record = self._record(file_id)
            self._store.set_content(record, content, None)

    def user_rename(self, file_id: str, new_name: str) -> None:
        with self._store.lock:
            record = self._record(file_id)
            record.name = new_name
            self._store.touch(record)

    # ---- faults and counters
    @property
    def faults(self) -> Faults:
        return self._service.faults

    @property
    def sheets(self):
        """The Sheets API v4 subset: locales, quotas, scopes and every Sheet's cells (sheets/)."""
        return self._service.sheets

    def spreadsheet(self, file_id: str):
        """The cells, tabs and metadata of a Sheet, for tests that act as its user (sheets/model.py)."""
        with self._store.lock:
            return self._service.sheets.book_of(self._record(file_id))

    def user_sheet_update(self, file_id: str, requests: list[dict]) -> None:
        """What a person does in the Sheets UI, expressed as batchUpdate requests (no quota, no scope)."""
        from .sheets.requests import apply
        with self._store.lock:
            book = self._service.sheets.book_of(self._record(file_id))
            apply(book, requests)

    @property
    def conversion(self):
        """CSV → Google Sheets import and CSV export, with their switches (conversion.py)."""
        return self._service.conversion

    @property
    def counts(self) -> collections.Counter:
        return self._service.counts

    def reset_counters(self) -> None:
        self._service.counts.clear()

    # ---- helpers
    def _record(self, file_id: str) -> FileRecord:
        record = self._store.files.get(file_id)
        if record is None:
            raise KeyError(str(not_found(file_id)))
        return record

    @contextlib.contextmanager
    def _as_user(self):
        with self._store.lock:
            self._store.acting_as_user(True)
            try:
                yield
            finally:
                self._store.acting_as_user(False)
