"""AppsFlyer Pull API (aggregate and raw-data reports). See README.md beside this file."""

from ingestion.sources.appsflyer.source import appsflyer_source

__all__ = ["appsflyer_source"]
