"""The agent's inbox over HTTP: 30 agents against a real gunicorn, on the benchmark's 1,000,000 mentions.

Every agent logs in, then loops: the queue page, a live check, the list API, claim
next, the mention page and its live check, and "claim this" on the top row of the
queue (three agents share a team, so these race). Server time is what gunicorn
logs per request (%(M)s, milliseconds, in the worker), so the load generator
sharing the two cores does not inflate it; client time is reported beside it.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.dataset import agents, ensure_dataset, reset_claims
from bench.registry import benchmark
from bench.stats import summary_ms
from bench.suites.claims import _double_claims

DURATION = float(os.environ.get("BENCH_SECONDS", "15"))
#: Pause between an agent's steps. People read and type between clicks; 0 makes
#: every agent a closed loop hammering the server, which measures saturation instead.
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "3"))
MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
AGENTS = int(os.environ.get("BENCH_AGENTS", "30"))
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password"  # noqa: S105 - bench/dataset.py seeds it

#: Which route a logged path belongs to.
ROUTES = [
    ("queue_page", re.compile(r"^/$")),
    ("queue_live", re.compile(r"^/live/queue/$")),
    ("list_api", re.compile(r"^/api/v1/mentions/$")),
    ("claim_next", re.compile(r"^/claim-next/$")),
    ("claim", re.compile(r"^/mentions/\d+/claim/$")),
    ("mention_page", re.compile(r"^/mentions/\d+/$")),
    ("mention_live", re.compile(r"^/mentions/\d+/live/$")),
    ("login", re.compile(r"^/login/$")),
]
BARS_MS = {"queue_page": 150, "list_api": 150, "mention_page": 150, "claim": 50, "claim_next": 50}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable(redis_url: str) -> bool:
    from urllib.parse import urlparse

    url = urlparse(redis_url)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _start_gunicorn(port: int, log: Path, static_root: Path) -> subprocess.Popen:
    env = {**os.environ, "STATIC_ROOT": str(static_root), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    # Presence lives in the cache; production's is Redis, so measure with Redis when there is one.
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if _reachable(redis_url):
        env["REDIS_URL"] = redis_url
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "webcare.wsgi", "--config", "webcare/gunicorn.conf.py",
            "--access-logfile", str(log), "--access-logformat", "%(m)s %(U)s %(s)s %(M)s",
            "--max-requests", "0", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


class _Agent(threading.Thread):
    def __init__(self, base: str, username: str, start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.base, self.username, self.start_line = base, username, start
        self.deadline = 0.0
        self.client_ms: dict[str, list[float]] = defaultdict(list)
        self.claimed: list[int] = []
        self.statuses: Counter[str] = Counter()
        self.error: str = ""

    def _call(self, session: Any, route: str, method: str, path: str, **kwargs: Any) -> Any:
        started = time.perf_counter()
        response = session.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
        self.client_ms[route].append(time.perf_counter() - started)
        self.statuses[f"{route} {response.status_code}"] += 1
        return response

    def _post(self, session: Any, route: str, path: str, data: dict[str, str] | None = None) -> Any:
        headers = {"X-CSRFToken": session.cookies["csrftoken"]}
        return self._call(session, route, "POST", path, headers=headers, data=data or {})

    def run(self) -> None:
        import requests

        session = requests.Session()
        try:
            session.get(self.base + "/login/", timeout=30)
            login = session.post(
                self.base + "/login/",
                data={
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                headers={"Referer": self.base + "/login/"},
                allow_redirects=False,
                timeout=30,
            )
            if login.status_code != 302:
                raise RuntimeError(f"login failed for {self.username}: {login.status_code}")
        except Exception as exc:
            self.error = repr(exc)
            self.start_line.abort()
            return
        # Logging in hashes a password (PBKDF2, deliberately slow): it is not what is measured.
        self.start_line.wait()
        self.deadline = time.perf_counter() + DURATION
        time.sleep(random.random() * THINK)  # people do not all click at the same instant
        try:
            while time.perf_counter() < self.deadline:
                self._iteration(session)
        except Exception as exc:  # reported, not raised: one broken agent must not hide the others' figures
            self.error = repr(exc)

    def _think(self) -> None:
        time.sleep(THINK * (0.5 + random.random()))

    def _iteration(self, session: Any) -> None:
        page = self._call(session, "queue_page", "GET", "/")
        self._think()
        fingerprint = re.search(r'data-fingerprint="([0-9a-f]+)"', page.text)
        self._call(session, "queue_live", "GET", f"/live/queue/?v={fingerprint.group(1) if fingerprint else ''}")
        self._think()
        self._call(session, "list_api", "GET", "/api/v1/mentions/")
        self._think()
        claimed = self._post(session, "claim_next", "/claim-next/")
        location = claimed.headers.get("Location", "")
        match = re.search(r"/mentions/(\d+)/$", location)
        if match:
            mention_id = int(match.group(1))
            self.claimed.append(mention_id)
            mention = self._call(session, "mention_page", "GET", f"/mentions/{mention_id}/")
            self._think()
            version = re.search(r'id="mention-live"[^>]*data-fingerprint="([0-9a-f]+)"', mention.text)
            live_path = f"/mentions/{mention_id}/live/?v={version.group(1) if version else ''}"
            self._call(session, "mention_live", "GET", live_path)
        self._think()
        top = re.search(r'data-row data-id="(\d+)"', page.text)
        if top:
            # As the row's button does: a lost race goes back to the list with who won.
            race = self._post(session, "claim", f"/mentions/{top.group(1)}/claim/", {"from": "queue"})
            if race.status_code == 302 and race.headers.get("Location", "").endswith(f"/mentions/{top.group(1)}/"):
                self.claimed.append(int(top.group(1)))


def _server_times(log: Path) -> tuple[dict[str, list[float]], Counter[str]]:
    times: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) != 4:
            continue
        _method, path, status, millis = parts
        route = next((name for name, pattern in ROUTES if pattern.match(path)), "other")
        times[route].append(float(millis) / 1000)
        statuses[status[0] + "xx"] += 1
    return times, statuses


@benchmark("agents_web")
def agents_web() -> dict[str, Any]:
    from django.db import connections

    dataset = ensure_dataset(MENTIONS)
    users = [user.username for user in agents()][:AGENTS]
    connections.close_all()
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="webcare-bench-") as folder:
        log = Path(folder) / "access.log"
        server = _start_gunicorn(port, log, Path(folder) / "static")
        try:
            base = f"http://127.0.0.1:{port}"
            start = threading.Barrier(len(users), action=lambda: log.write_text(""))
            threads = [_Agent(base, username, start) for username in users]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=DURATION + 120)
        finally:
            server.terminate()
            server.wait(timeout=30)
        server_times, server_statuses = _server_times(log)
    # A mention claimed by two different agents is a double claim; one agent getting
    # "already yours" back for its own claim is not.
    claimers: dict[int, set[str]] = defaultdict(set)
    for thread in threads:
        for mention in thread.claimed:
            claimers[mention].add(thread.username)
    client: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    for thread in threads:
        statuses.update(thread.statuses)
        for route, values in thread.client_ms.items():
            client[route].extend(values)
    double_in_responses = sum(1 for names in claimers.values() if len(names) > 1)
    double_in_events = _double_claims()
    reset_claims()
    routes = {}
    for route, values in sorted(server_times.items()):
        server = summary_ms(values)
        routes[route] = {
            "requests": len(values),
            "server_p50_ms": server["p50_ms"],
            "server_p95_ms": server["p95_ms"],
            "server_p99_ms": server["p99_ms"],
            "client_p95_ms": summary_ms(client.get(route, []))["p95_ms"],
            **({"bar_ms": BARS_MS[route], "meets_bar": server["p95_ms"] < BARS_MS[route]} if route in BARS_MS else {}),
        }
    return {
        **dataset,
        "agents": len(users),
        "seconds": DURATION,
        "think_seconds": THINK,
        "routes": routes,
        "claims": len(claimers),
        "double_claims": double_in_responses + double_in_events,
        "double_claims_by_responses": double_in_responses,
        "double_claims_by_events": double_in_events,
        "server_statuses": dict(server_statuses),
        "responses": dict(sorted(statuses.items())),
        "agent_errors": [thread.error for thread in threads if thread.error],
    }
