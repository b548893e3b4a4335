"""Naver Search Ad (네이버 검색광고) source: signed API, entities and daily stat reports."""

from ingestion.sources.naver_searchad.source import naver_searchad_source

__all__ = ["naver_searchad_source"]
