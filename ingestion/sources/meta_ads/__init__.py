"""Meta Ads (Facebook/Instagram Marketing API) source. See README.md beside this file."""

from ingestion.sources.meta_ads.source import meta_ads_source

__all__ = ["meta_ads_source"]
