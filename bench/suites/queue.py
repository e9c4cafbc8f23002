"""The first page of an agent's unclaimed queue at 1,000,000 mentions: SQL time and query count."""

from __future__ import annotations

import random
import time
from typing import Any

from bench.dataset import agents, ensure_dataset
from bench.registry import benchmark
from bench.stats import summary_ms

RUNS = 300


class _SqlTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def _measure(call) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection

    timer = _SqlTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        call()
    return time.perf_counter() - started, timer.seconds, timer.queries


@benchmark("queue_first_page")
def queue_first_page() -> dict[str, Any]:
    from inbox.selectors import Queue, mention_queue_for_agent

    dataset = ensure_dataset()
    users = agents()
    rng = random.Random(3)
    totals, sqls, counts = [], [], set()
    second_sqls = []
    for _ in range(RUNS):
        user = rng.choice(users)
        page_holder = {}
        total, sql, queries = _measure(lambda: page_holder.setdefault("page", mention_queue_for_agent(user=user, queue=Queue.UNCLAIMED)))
        totals.append(total)
        sqls.append(sql)
        counts.add(queries)
        cursor = page_holder["page"].next_cursor
        _t, sql2, queries2 = _measure(lambda: mention_queue_for_agent(user=user, queue=Queue.UNCLAIMED, cursor=cursor))
        second_sqls.append(sql2)
        counts.add(queries2)
    sql_summary = summary_ms(sqls)
    return {
        **dataset,
        "runs": RUNS,
        "page_size": 50,
        "sql_p50_ms": sql_summary["p50_ms"],
        "sql_p95_ms": sql_summary["p95_ms"],
        "second_page_sql_p95_ms": summary_ms(second_sqls)["p95_ms"],
        "python_and_sql_p95_ms": summary_ms(totals)["p95_ms"],
        "queries_per_page": sorted(counts),
    }
