"""The sandbox platform's HTTP server: X API v2 under /2/, Graph under /vNN.N/, control under /_sandbox/.

One port serves both platforms (the connectors' RedirectAdapter sends api.twitter.com,
api.x.com and graph.facebook.com to the same base URL). Every API request is recorded;
queued faults are applied before the API sees the request.
"""

from __future__ import annotations

import itertools
import logging
import re
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from connectors.sandbox.control import Control
from connectors.sandbox.faults import PASS_THROUGH, Faults, fault_reply
from connectors.sandbox.graph import GraphApi
from connectors.sandbox.http import Reply, Request
from connectors.sandbox.pages import Pages
from connectors.sandbox.scenarios import ScenarioEngine
from connectors.sandbox.webhooks import WebhookPusher
from connectors.sandbox.world import World
from connectors.sandbox.xapi import XApi

logger = logging.getLogger(__name__)
_SANDBOX_PATH = re.compile(r"^/(?:_sandbox(?:/.*)?|\w{1,15}/status/\d+)?$")


class RequestLog:
    """Every API request, in order, with what was answered (bounded)."""

    def __init__(self, size: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)

    def add(self, request: Request, platform: str, account: str | None) -> dict[str, Any]:
        entry = {
            "seq": next(self._seq),
            "at": time.time(),
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "body": request.body.decode("utf-8", "replace")[:8000],
            "platform": platform,
            "account": account,
            "status": None,
            "fault": "",
        }
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, *, since: int = 0, path: str = "", method: str = "") -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._entries)
        return [
            e for e in entries
            if e["seq"] > since and (not path or re.search(path, e["path"])) and (not method or e["method"] == method)
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    sandbox: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 120

    def log_message(self, format: str, *args: Any) -> None:
        # The request line carries Graph's access token in its query: log the path only.
        logger.debug("sandbox: %s %s", self.command, self.path.split("?", 1)[0])

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        headers = {key.lower(): value for key, value in self.headers.items()}
        request = Request.build(self.command, path.rstrip("/") or "/", raw_query, headers, body)
        reply = self.server.sandbox.dispatch(request)
        if reply is None:  # a dropped connection: nothing is answered
            self.close_connection = True
            return
        self._write(reply)

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve


class SandboxServer:
    """The sandbox platform. ``start()`` serves it in a thread; port 0 picks a free port."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: int = 1, world: World | None = None) -> None:
        self.world = world or World(seed)
        self.faults = Faults()
        self.log = RequestLog()
        self.x = XApi(self.world)
        self.graph = GraphApi(self.world)
        self.pages = Pages(self.world)
        self.scenarios = ScenarioEngine(self.world)
        self.webhooks = WebhookPusher(self.world)
        self.control = Control(self)
        self.httpd = _HTTPServer((host, port), _Handler)
        self.httpd.sandbox = self
        self.graph.public_base = self.url  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self.faults.stopping.set()
        self.scenarios.stop()
        self.webhooks.stop()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- dispatch ---------------------------------------------------------------------

    def dispatch(self, request: Request) -> Reply | None:
        if _SANDBOX_PATH.match(request.path):
            reply = self.control.handle(request) or self.pages.handle(request)
            return reply or Reply.json(404, {"error": f"no sandbox route {request.method} {request.path}"})
        platform = "x" if request.path.startswith("/2/") else "graph"
        api = self.x if platform == "x" else self.graph
        account = self._account(request, platform)
        entry = self.log.add(request, platform, account)
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            entry["fault"] = fault.kind
        if fault is not None and fault.kind == "drop":
            self.faults.sleep(fault.seconds)
            entry["status"] = 0
            return None
        if fault is not None and fault.kind == "delay":
            self.faults.sleep(fault.seconds)
        if fault is not None and fault.kind not in PASS_THROUGH:
            reply = fault_reply(fault, platform=platform)
        else:
            reply = api.handle(request)
            if fault is not None and fault.kind == "partial_errors" and reply.status == 200:
                reply = _with_partial_errors(reply)
            if fault is not None and fault.kind == "accept_then_hang":
                self.faults.sleep(fault.seconds)
        entry["status"] = reply.status
        return reply

    def _account(self, request: Request, platform: str) -> str | None:
        token = XApi.token_of(request) if platform == "x" else request.param("access_token")
        found = self.world.account_for_token(token) if token else None
        return found[1] if found else None


def _with_partial_errors(reply: Reply) -> Reply:
    import json

    body = json.loads(reply.body)
    body["errors"] = [{
        "value": "1", "detail": "Could not find tweet with ids: [1].", "title": "Not Found Error",
        "resource_type": "tweet", "parameter": "referenced_tweets.id", "resource_id": "1",
        "type": "https://api.twitter.com/2/problems/resource-not-found"}]
    return Reply.json(reply.status, body, reply.headers)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
