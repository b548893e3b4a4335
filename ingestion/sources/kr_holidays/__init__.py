"""Korean public holidays (data.go.kr SpcdeInfoService or the holidays package). See README.md."""

from ingestion.sources.kr_holidays.source import kr_holidays_source

__all__ = ["kr_holidays_source"]
