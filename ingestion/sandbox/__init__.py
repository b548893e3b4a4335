"""The sandbox: a deterministic synthetic ad world and protocol-faithful fake APIs on 127.0.0.1."""

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.meta_ads_api import MetaAdsFake
from ingestion.sandbox.world import (
    Ad,
    AdAccount,
    AdDay,
    AdGroup,
    Campaign,
    Keyword,
    KeywordDay,
    World,
    WorldConfig,
)

__all__ = [
    "Ad",
    "AdAccount",
    "AdDay",
    "AdGroup",
    "Campaign",
    "Faults",
    "Keyword",
    "KeywordDay",
    "MetaAdsFake",
    "World",
    "WorldConfig",
]
