"""Claim next under contention: 30 agents in separate processes, as 30 web workers would be."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from bench.dataset import AGENTS_PER_TEAM, TEAMS, agents, ensure_dataset, reset_claims
from bench.registry import benchmark
from bench.stats import summary_ms

WORKERS = TEAMS * AGENTS_PER_TEAM
DURATION = float(os.environ.get("BENCH_SECONDS", "15"))

RAW_CLAIM = """
WITH c AS (
    SELECT id FROM inbox_mention WHERE team_id = %s AND status = 'new'
    ORDER BY priority DESC, waiting_since, id LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE inbox_mention m SET status = 'claimed', assignee_id = %s, claimed_at = now(), updated_at = now(),
       version = m.version + 1
FROM c WHERE m.id = c.id RETURNING m.id
"""
RAW_EVENT = """
INSERT INTO inbox_event (created_at, actor_id, action, mention_id, from_status, to_status, reason, data)
VALUES (now(), %s, 'claimed', %s, 'new', 'claimed', '', '{}')
"""


def _service_worker(user_id: int, deadline: float, results: multiprocessing.Queue) -> None:
    from django.db import connection

    from inbox.models import User
    from inbox.services.mentions import mention_claim_next

    connection.close()
    user = User.objects.get(pk=user_id)
    latencies, claimed = [], []
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        mention_id = mention_claim_next(user=user)
        latencies.append(time.perf_counter() - started)
        if mention_id is not None:
            claimed.append(mention_id)
    results.put((latencies, claimed))
    connection.close()


def _raw_worker(user_id: int, team_id: int, deadline: float, results: multiprocessing.Queue) -> None:
    import psycopg

    latencies, claimed = [], []
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            with connection.transaction():
                row = connection.execute(RAW_CLAIM, [team_id, user_id]).fetchone()
                if row:
                    connection.execute(RAW_EVENT, [user_id, row[0]])
            latencies.append(time.perf_counter() - started)
            if row:
                claimed.append(row[0])
    results.put((latencies, claimed))


def _run(target, args_for) -> tuple[list[float], list[int]]:  # type: ignore[no-untyped-def]
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    deadline = time.perf_counter() + 2 + DURATION  # 2 s for the processes to start
    processes = [context.Process(target=target, args=(*args_for(i), deadline, results)) for i in range(WORKERS)]
    for process in processes:
        process.start()
    collected = [results.get(timeout=DURATION + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = [value for lat, _c in collected for value in lat]
    claimed = [value for _l, c in collected for value in c]
    return latencies, claimed


def _double_claims() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT mention_id FROM inbox_event WHERE action = 'claimed' "
            "GROUP BY mention_id HAVING count(*) > 1) twice"
        )
        return cursor.fetchone()[0]


@benchmark("claim_next")
def claim_next() -> dict[str, Any]:
    from django.db import connection

    dataset = ensure_dataset()
    users = agents()
    latencies, claimed = _run(_service_worker, lambda i: (users[i].pk,))
    double = _double_claims() + (len(claimed) - len(set(claimed)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inbox_mention WHERE status = 'claimed'")
        stored = cursor.fetchone()[0]
    service = {"claims": len(claimed), "claims_per_s": round(len(claimed) / DURATION), **summary_ms(latencies)}
    reset_claims()

    team_of = {user.pk: user.memberships.get().team_id for user in users}
    raw_latencies, raw_claimed = _run(_raw_worker, lambda i: (users[i].pk, team_of[users[i].pk]))
    raw_rate = len(raw_claimed) / DURATION
    reset_claims()
    return {
        **dataset,
        "workers": WORKERS,
        "seconds": DURATION,
        **service,
        "double_claims": double,
        "lost_claims": len(claimed) - stored,
        "raw_sql_claims_per_s": round(raw_rate),
        "raw_sql_p95_ms": summary_ms(raw_latencies)["p95_ms"],
        "ratio_to_raw_sql": round(len(claimed) / DURATION / raw_rate, 2) if raw_rate else None,
    }
