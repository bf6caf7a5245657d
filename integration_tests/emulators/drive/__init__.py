"""Loopback emulator of the Google Drive v3 API (metadata, uploads, batch, OAuth token endpoint)."""
from .emulator import DriveEmulator
from .store import FOLDER, FileRecord

__all__ = ["DriveEmulator", "FileRecord", "FOLDER"]
