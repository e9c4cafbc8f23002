"""Run benchmarks against a dedicated PostgreSQL database (BENCH_DATABASE_URL)."""

from __future__ import annotations

import json
import os
import sys


def _configure() -> None:
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/webcare_bench"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("WEBCARE_CREDENTIALS_KEYS", "jS-tNSI8HpOPEMP6ZoXX3d9O8Jwv8reqnT3cCL3jZZA=")
    os.environ.setdefault("WEBCARE_HTTPS", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")


def main(argv: list[str]) -> int:
    _configure()
    from bench.dataset import ensure_database

    ensure_database()
    import django

    django.setup()
    import bench.suites  # noqa: F401 - registers the benchmarks
    from bench.registry import BENCHMARKS

    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        result = BENCHMARKS[name]()
        print(json.dumps({"benchmark": name, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
