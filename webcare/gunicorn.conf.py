"""gunicorn settings for production (used by the Dockerfile's default command)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    # The abuse classifier compiles its rules on first use (about half a second): pay that
    # here rather than in some agent's first request to this worker.
    from inbox.detection.abuse import builtin_classifier

    builtin_classifier()
