"""Loopback emulator of the Google Drive v3 API (metadata, uploads, batch, OAuth token endpoint).

Names are loaded on first use (PEP 562), so `python -m integration_tests.emulators.drive` can say
which packages are missing instead of failing on the package's own import."""

__all__ = ["DriveEmulator", "FileRecord", "FOLDER"]


def __getattr__(name: str):
    if name == "DriveEmulator":
        from .emulator import DriveEmulator
        return DriveEmulator
    if name in ("FileRecord", "FOLDER"):
        from . import store
        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
