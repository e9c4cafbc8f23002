"""Real processes for the fault tests: a private redis-server and Celery workers we can kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from connectors.sandbox.server import free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class RedisServer:
    """A redis-server of our own (the shared one is never restarted), without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_for(self._answers, timeout=10), "redis-server did not start"
        return self

    def _answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()


class Worker:
    """``celery -A webcare worker`` on the test database and a private broker."""

    def __init__(self, *, redis_url: str, workdir: Path, name: str, lease_seconds: int = 5) -> None:
        database = connection.settings_dict
        self.env = {
            **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "webcare.settings",
            "DEBUG": "false",
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "ALLOWED_HOSTS": "localhost",
            "WEBCARE_CREDENTIALS_KEYS": os.environ["WEBCARE_CREDENTIALS_KEYS"],
            "WEBCARE_HTTPS": "false",
            "WEBCARE_VAR_DIR": str(workdir),
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "REDIS_URL": redis_url,
            "WEBCARE_DELIVERY_LEASE_SECONDS": str(lease_seconds),
            "LOG_LEVEL": "INFO",
        }
        self.name = name
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    def start(self) -> Worker:
        self.output = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "webcare", "worker", "--pool=prefork", "--concurrency=1",
             "--without-heartbeat", "--without-mingle", "--without-gossip", f"--hostname={self.name}@%h",
             "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()
        assert wait_for(lambda: any(" ready." in line for line in self.output), timeout=60), self.log()
        return self

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.output.append(line)

    def log(self) -> str:
        return "".join(self.output[-80:])

    def children(self) -> list[int]:
        assert self.process is not None
        result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True,
                                text=True, check=False)
        return [int(pid) for pid in result.stdout.split()]

    def kill_child(self) -> int:
        """kill -9 the pool process running the task; the worker replaces it."""
        children = self.children()
        assert children, self.log()
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def kill(self) -> None:
        """kill -9 the whole worker: main process and pool."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
