"""/healthz answered before Django's host and HTTPS checks.

Container and load-balancer probes call it over plain http with whatever Host
header they have, which ALLOWED_HOSTS and SECURE_SSL_REDIRECT would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core import signals
from django.db import connection

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


class HealthCheck:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/healthz":
            return self.app(environ, start_response)
        # The same connection lifecycle as a request: a connection that broke (a
        # database restart) is closed afterwards, and the next probe reconnects.
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            ok = database_ok()
        finally:
            signals.request_finished.send(sender=self.__class__)
        body = json.dumps({"status": "ok" if ok else "error", "database": "ok" if ok else "unreachable"}).encode()
        start_response(
            "200 OK" if ok else "503 Service Unavailable",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
        )
        return [body]
