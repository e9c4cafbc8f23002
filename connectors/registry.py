"""Which adapter serves which platform."""

from __future__ import annotations

from connectors.base import AccountConfig, Connector


def connector_for(config: AccountConfig, *, graph_version: str | None = None) -> Connector:
    if config.platform == "x":
        from connectors.twitter import XConnector

        return XConnector(config)
    if config.platform == "facebook":
        from connectors.facebook import GRAPH_VERSION, FacebookConnector

        return FacebookConnector(config, graph_version=graph_version or GRAPH_VERSION)
    raise ValueError(f"No connector for platform {config.platform!r}")


def streams_for(platform: str, *, has_keywords: bool) -> tuple[str, ...]:
    from connectors.base import FB_COMMENTS, FB_CONVERSATIONS, FB_FEED, X_DMS, X_MENTIONS, X_SEARCH

    if platform == "x":
        return (X_MENTIONS, X_SEARCH, X_DMS) if has_keywords else (X_MENTIONS, X_DMS)
    return (FB_FEED, FB_COMMENTS, FB_CONVERSATIONS)
