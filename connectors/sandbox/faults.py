"""Faults the sandbox injects on request: rate limits, errors, hangs, broken bodies.

A fault matches on method and a path pattern, lets ``skip`` matching requests through
first, then fires ``times`` times. Timing faults sleep in small steps so a stopping
server is never held up.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from connectors.sandbox.graph import graph_error
from connectors.sandbox.http import Reply
from connectors.sandbox.xapi import PROBLEMS, problem

KINDS = (
    "rate_limit",  # X 429 with x-rate-limit-reset; Graph throttling code (default 32) with regain time
    "usage_cap",  # X 429 without a reset header (monthly usage cap)
    "status",  # any status: X problem body, Graph error body with `code`
    "graph_error",  # a Graph error code/subcode (e.g. 100, 200, 368, 506)
    "html",  # an HTML error page (non-JSON), default 502
    "malformed",  # 200 with a JSON content type and a truncated body
    "partial_errors",  # X: a 200 that also carries errors[]
    "delay",  # sleep, then answer normally
    "accept_then_hang",  # do the work, then sleep before answering (the platform accepted)
    "drop",  # sleep, then close the connection without doing anything
)
#: Faults that let the request through to the API (the rest answer instead of it).
PASS_THROUGH = {"delay", "accept_then_hang", "partial_errors"}


@dataclass
class Fault:
    id: int
    kind: str
    method: str = "*"
    path: str = ""
    times: int = 1
    skip: int = 0
    status: int = 0
    code: int = 0
    subcode: int = 0
    reset_in: int = 60
    regain_minutes: int = 5
    seconds: float = 40.0
    message: str = ""
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and (not self.path or re.search(self.path, path) is not None)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.queue: list[Fault] = []
        self.stopping = threading.Event()

    def add(self, spec: dict[str, Any]) -> Fault:
        kind = spec.get("kind", "")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        allowed = {name for name in Fault.__dataclass_fields__ if name not in ("id", "fired")}
        fault = Fault(id=next(self._ids), **{key: value for key, value in spec.items() if key in allowed})
        fault.method = fault.method.upper()
        with self._lock:
            self.queue.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.queue.clear()

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self.queue]

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.queue:
                if not fault.matches(method, path):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.fired += 1
                if fault.fired >= fault.times:
                    self.queue.remove(fault)
                return fault
        return None

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            time.sleep(min(0.05, deadline - time.monotonic()))


def fault_reply(fault: Fault, *, platform: str) -> Reply:
    """The answer a fault gives instead of the API's."""
    now = int(time.time())
    if fault.kind == "malformed":
        return Reply(200, b'{"data":[{"id":"1","text":"cut off', "application/json; charset=utf-8")
    if fault.kind == "html":
        status = fault.status or 502
        return Reply(status, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html; charset=utf-8")
    if platform == "x":
        if fault.kind == "rate_limit":
            headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0",
                       "x-rate-limit-reset": str(now + fault.reset_in)}
            return problem(429, "Too Many Requests", "Too Many Requests", f"{PROBLEMS}/rate-limit-exceeded", headers)
        if fault.kind == "usage_cap":
            return problem(429, "UsageCapExceeded", "Usage cap exceeded: Monthly product cap",
                           f"{PROBLEMS}/usage-capped")
        status = fault.status or 503
        return problem(status, {401: "Unauthorized", 403: "Forbidden", 404: "Not Found Error"}.get(status, "Service"
                       " Unavailable"), fault.message or "Service Unavailable")
    if fault.kind == "rate_limit":
        code = fault.code or 32
        headers = {"x-business-use-case-usage": json.dumps({"0": [{
            "type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 60,
            "estimated_time_to_regain_access": fault.regain_minutes}]})}
        return graph_error(fault.message or f"(#{code}) Page request limit reached", code, headers=headers)
    if fault.kind == "status":
        return graph_error(fault.message or "An unexpected error has occurred. Please retry your request later.",
                           fault.code or 2, status=fault.status or 500)
    return graph_error(fault.message or f"(#{fault.code}) Error", fault.code or 1,
                       subcode=fault.subcode or None, status=fault.status or 400)
