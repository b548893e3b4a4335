"""Google Ads source (Google Ads API, REST, GAQL). See README.md beside this file."""

from ingestion.sources.google_ads.source import google_ads_source

__all__ = ["google_ads_source"]
