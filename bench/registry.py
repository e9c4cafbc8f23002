from __future__ import annotations

from collections.abc import Callable
from typing import Any

Benchmark = Callable[[], dict[str, Any]]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(function: Benchmark) -> Benchmark:
        BENCHMARKS[name] = function
        return function

    return register
