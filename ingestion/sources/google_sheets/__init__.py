"""Google Sheets source: the AE's plan kept in a spreadsheet. See README.md beside this file."""

from ingestion.sources.google_sheets.source import google_sheets_source

__all__ = ["google_sheets_source"]
