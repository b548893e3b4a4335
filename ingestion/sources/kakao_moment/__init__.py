"""Kakao Moment (카카오모먼트) Open API source. See README.md beside this file."""

from ingestion.sources.kakao_moment.source import kakao_moment_source

__all__ = ["kakao_moment_source"]
