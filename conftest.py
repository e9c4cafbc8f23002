"""Suite-wide test setup: markers for real services, and a loud account of what was skipped."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.db import connection

_SKIPPED: dict[str, int] = {}


def _have_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _have_redis() -> bool:
    return bool(settings.REDIS_URL)


def _have_chromium() -> bool:
    return shutil.which("chromium") is not None or shutil.which("chromium-browser") is not None


_REQUIREMENTS = {
    "postgres": (_have_postgres, "PostgreSQL (set DATABASE_URL or run one on 127.0.0.1:5432)"),
    "redis": (_have_redis, "Redis (set REDIS_URL or run one on 127.0.0.1:6379)"),
    "browser": (_have_chromium, "Chromium (apt-get install chromium)"),
}


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.settings import TEST_SERVICES

    return [f"webcare services: database={TEST_SERVICES['database']} redis={TEST_SERVICES['redis']}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker, (available, what) in _REQUIREMENTS.items():
            if item.get_closest_marker(marker) and not available():
                _SKIPPED[what] = _SKIPPED.get(what, 0) + 1
                item.add_marker(pytest.mark.skip(reason=f"needs {what}"))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    if not _SKIPPED:
        return
    terminalreporter.section("SKIPPED: services this machine does not have", sep="!", red=True, bold=True)
    for what, count in _SKIPPED.items():
        terminalreporter.write_line(f"{count} test(s) did not run: they need {what}.", red=True, bold=True)


@pytest.fixture
def db_vendor() -> str:
    return connection.vendor
