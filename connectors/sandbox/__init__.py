"""The sandbox platform: a local stand-in for X API v2 and the Graph API (see server.py)."""

from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import World

__all__ = ["SandboxServer", "World"]
