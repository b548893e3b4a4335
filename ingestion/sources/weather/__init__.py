"""Daily weather per ASOS station (KMA ASOS via data.go.kr, or Open-Meteo). See README.md."""

from ingestion.sources.weather.source import weather_source

__all__ = ["weather_source"]
