"""Which real services this test run can use. Decided once, before Django loads settings."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def checkout_suffix() -> str:
    """Keeps test databases of two checkouts on one machine (a CI clone, a worktree) apart."""
    return hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]


def configure_environment() -> dict[str, str]:
    """Point DATABASE_URL and REDIS_URL at local PostgreSQL and Redis when nobody set them.

    Returns what was decided, for the run summary. WEBCARE_TEST_SERVICES=none forces
    the embedded fallbacks (SQLite, in-memory broker).
    """
    decided: dict[str, str] = {}
    use_services = os.environ.get("WEBCARE_TEST_SERVICES", "auto") != "none"
    if "DATABASE_URL" not in os.environ and use_services and _reachable("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/webcare_{checkout_suffix()}"
    if "REDIS_URL" not in os.environ and use_services and _reachable("127.0.0.1", 6379):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    decided["database"] = os.environ.get("DATABASE_URL", "sqlite (embedded)")
    decided["redis"] = os.environ.get("REDIS_URL", "") or "none (file cache, no broker tests)"
    return decided
