"""Adjust Report Service API source. See README.md beside this file."""

from ingestion.sources.adjust.source import adjust_source

__all__ = ["adjust_source"]
