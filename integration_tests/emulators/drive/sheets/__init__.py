"""The Sheets API v4 subset of the Drive emulator: a Sheet's tabs, typed cells, locale and metadata."""
