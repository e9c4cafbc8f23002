"""Real Chromium through Playwright against Django's live server.

One browser for the whole session (starting Chromium costs seconds); every test
gets fresh contexts (cookies, storage), one per agent. Each page records what a
hostile post could cause: console errors, dialogs, CSP violations, and a canary
that an injected script would set.

The accounts point at an in-process sandbox platform (the connectors' fixtures);
``worker`` sends what the app scheduled through the real connector path
(``connectors.tasks.delivery_send``) once the undo window is over.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client

from connectors import tasks
from inbox.models import User
from inbox.services import outbox
from tests.connectors.conftest import (  # noqa: F401 - accounts on an in-process sandbox platform
    fb_account,
    sandbox,
    world,
    x_account,
)
from tests.factories import BrandFactory
from tests.web.conftest import (  # noqa: F401 - the domain fixtures, shared
    agent,
    category,
    claimed,
    fb_comment,
    lead,
    mention,
    other_agent,
    other_team,
    outsider,
    team,
)

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told that this is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

#: Seconds before an answer leaves: the flow tests wait this long for every delivery.
UNDO_SECONDS = 2

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def _chromium_path() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page plus what it reported; ``trouble()`` is empty when nothing bad happened."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")  # type: ignore[attr-defined]

    def trouble(self) -> dict[str, list[str]]:
        found = {
            "console errors": self.console_errors,
            "dialogs": self.dialogs,
            "csp violations": self.csp_violations(),
        }
        return {name: items for name, items in found.items() if items}


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Callable[..., Watched]]:
    contexts = []

    def open_as(user: User | None = None, path: str = "/") -> Watched:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")  # type: ignore[attr-defined]
        context.set_default_timeout(10_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        context.add_init_script(WATCH_SCRIPT)
        page = context.new_page()
        watched = Watched(page)
        page.on("console", lambda message: message.type == "error" and watched.console_errors.append(message.text))
        page.on("pageerror", lambda error: watched.console_errors.append(str(error)))

        def on_dialog(dialog: object) -> None:
            watched.dialogs.append(dialog.message)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        page.goto(path)
        return watched

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def brand(db):  # type: ignore[no-untyped-def]
    """The test brand, with an undo window short enough to wait for (and long enough to press undo in)."""
    return BrandFactory(name="Telvio", slug="telvio", signature_format="^{initials}", undo_seconds=UNDO_SECONDS)


@dataclass
class Worker:
    """The Celery worker, in the test's thread: runs ``connectors.delivery_send`` for what the app
    scheduled, once its countdown (the undo window) has passed. The broker is the only stand-in."""

    scheduled: list[tuple[int, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, delivery_id: int, countdown: float) -> None:
        with self._lock:
            self.scheduled.append((delivery_id, time.monotonic() + countdown))

    def run_due(self, *, expected: int, timeout: float = 10.0) -> list[tuple[int, str]]:
        """Wait for ``expected`` scheduled deliveries, then send each when due, in the order scheduled.

        A delivery waiting on another (the public pointer after its private message) is not
        due the first time; like the sweeper, the worker comes back to it.
        """
        deadline = time.monotonic() + timeout
        while len(self.scheduled) < expected:
            assert time.monotonic() < deadline, f"{len(self.scheduled)} of {expected} deliveries were scheduled"
            time.sleep(0.05)
        with self._lock:
            batch, self.scheduled = self.scheduled[:expected], self.scheduled[expected:]
        time.sleep(max(0.0, max(due for _id, due in batch) - time.monotonic()))
        results: list[tuple[int, str]] = []
        waiting = [delivery_id for delivery_id, _due in batch]
        while waiting:
            results += [(delivery_id, tasks.delivery_send(delivery_id)) for delivery_id in waiting]
            not_due = [delivery_id for delivery_id, result in results[-len(waiting):] if result == "not_due"]
            if not_due == waiting:
                break  # nothing moved: leave it to the test to say what is wrong
            waiting = not_due
        return results


@pytest.fixture
def worker(monkeypatch) -> Worker:  # type: ignore[no-untyped-def]
    """What the app hands the broker (``inbox.services.outbox``) reaches this worker instead."""
    worker = Worker()
    monkeypatch.setattr(outbox, "_enqueue", worker.record)
    return worker
