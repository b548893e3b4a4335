"""Daily exchange rates (Korea Eximbank or Frankfurter/ECB). See README.md beside this file."""

from ingestion.sources.exchange_rates.source import exchange_rates_source

__all__ = ["exchange_rates_source"]
