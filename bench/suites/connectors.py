"""Connectors under load: ingest through the real path, a storm, latency to the inbox, sending.

Everything goes through what production runs: the sandbox platform over HTTP, tweepy and
facebook-sdk, the Celery tasks, PostgreSQL. The latency benchmarks start a private
redis-server and real ``celery worker`` processes (two, concurrency 1 each: the
production default of 2 on this machine) and play beat from this process. The
benchmarks use their own database (``<bench database>_connectors``), so the
1,000,000-mention dataset of the other benchmarks is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg

from bench.registry import benchmark
from bench.stats import summary_ms

ROOT = Path(__file__).resolve().parents[2]
X_TOKENS = {"bearer_token": "bench-bearer", "consumer_key": "k", "consumer_secret": "s",
            "access_token": "bench-access", "access_token_secret": "t"}
FB_TOKENS = {"page_access_token": "bench-page-token", "app_secret": "bench-app-secret"}


# --- the rig ---------------------------------------------------------------------------------------


def _database_url() -> str:
    base = urlparse(os.environ["DATABASE_URL"])
    return base._replace(path=base.path + "_connectors").geturl()


def _use_connectors_database() -> str:
    """Point Django at this suite's own database (created and migrated once)."""
    from django.core.management import call_command
    from django.db import connections

    url = _database_url()
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)
    return url


def _reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE inbox_event, inbox_delivery, inbox_message, inbox_mentiontag, inbox_mention, inbox_contact,"
            " inbox_post, inbox_pollcursor, connectors_tombstone, connectors_webhookevent, inbox_socialaccount,"
            " inbox_membership, inbox_team, inbox_brandtext, inbox_brand, inbox_user CASCADE"
        )


def _world(url: str, *, x_accounts: int = 1, pages: int = 1, undo: int = 10, interval: int = 60) -> dict[str, Any]:
    from inbox.models import Brand, Membership, SocialAccount, Team, User

    _reset()
    brand = Brand.objects.create(name="Bench", slug="bench", undo_seconds=undo)
    team = Team.objects.create(name="Bench", slug="bench")
    accounts = []
    for number in range(x_accounts):
        account = SocialAccount(brand=brand, team=team, platform="x", external_id=str(70_000 + number),
                                handle=f"brand{number}", api_base_url=url, poll_interval_seconds=interval)
        account.set_credentials({**X_TOKENS, "bearer_token": f"bench-bearer-{number}",
                                 "access_token": f"bench-access-{number}"})
        account.save()
        accounts.append(account)
    for number in range(pages):
        account = SocialAccount(brand=brand, team=team, platform="facebook", external_id=str(80_000 + number),
                                handle=f"Page {number}", api_base_url=url, poll_interval_seconds=interval)
        account.set_credentials({**FB_TOKENS, "page_access_token": f"bench-page-token-{number}"})
        account.save()
        accounts.append(account)
    agents = []
    for number in range(30):
        user = User.objects.create(username=f"bench-agent-{number}", first_name="Agent", last_name=str(number))
        Membership.objects.create(team=team, user=user)
        agents.append(user)
    return {"team": team, "accounts": accounts, "agents": agents}


def _register(server, accounts) -> None:  # type: ignore[no-untyped-def]
    for account in accounts:
        credentials = account.get_credentials()
        if account.platform == "x":
            server.world.add_x_account(user_id=account.external_id, username=account.handle,
                                       tokens=[credentials["bearer_token"], credentials["access_token"]])
        else:
            server.world.add_fb_page(page_id=account.external_id, name=account.handle,
                                     tokens=[credentials["page_access_token"]], app_secret=credentials["app_secret"])
            server.scenarios.register_page(account.external_id, languages=["nl", "fr", "en", "da"])
    server.x.limiter.limits = {name: 10**9 for name in server.x.limiter.limits}


@contextlib.contextmanager
def _sandbox() -> Iterator[Any]:
    from connectors.sandbox import SandboxServer

    server = SandboxServer(seed=11).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def _workers(database_url: str, redis_url: str, count: int, workdir: Path) -> Iterator[list[subprocess.Popen]]:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "WEBCARE_VAR_DIR": str(workdir),
           "DJANGO_SETTINGS_MODULE": "webcare.settings", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "webcare", "worker", "--pool=prefork",
                          "--concurrency=1", "--without-heartbeat", "--without-mingle", "--without-gossip",
                          f"--hostname=bench{n}@%h", "--loglevel=WARNING"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        for n in range(count)
    ]
    time.sleep(6)  # worker start-up
    try:
        yield processes
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
        for process in processes:
            process.wait(timeout=30)


@contextlib.contextmanager
def _redis(workdir: Path) -> Iterator[str]:
    from connectors.sandbox.server import free_port

    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


class _Beat(threading.Thread):
    """Celery beat's schedule (webcare/celery.py), played from here onto the private broker."""

    def __init__(self, redis_url: str) -> None:
        super().__init__(daemon=True)
        from celery import Celery

        self.app = Celery("bench-beat", broker=redis_url)
        self.stopping = threading.Event()

    def run(self) -> None:
        ticks = 0
        while not self.stopping.wait(3.0 if ticks else 0):
            self.app.send_task("connectors.polls_dispatch", expires=3)
            if ticks % 10 == 0:
                self.app.send_task("connectors.deliveries_sweep", expires=30)
            ticks += 1


def _point_app_at(redis_url: str) -> None:
    """Webcare's Celery app publishes to this broker from now on (no pooled connection to an old one)."""
    from webcare.celery import app

    app.conf.broker_url = redis_url
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def _web(redis_url: str) -> Iterator[str]:
    """The Django application behind a threaded WSGI server, enqueueing to the private broker."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    _point_app_at(redis_url)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _bulk_insert_reference(rows: int) -> float:
    """Multi-row INSERT of mention-sized rows in one transaction, the reference's method (rows/s)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_rows (account_id int, platform_id text, author text, body text, "
                       "raw jsonb, UNIQUE (account_id, platform_id))")
        started = time.perf_counter()
        values = [(1, str(n), f"author{n % 500}", "Al twee dagen geen internet in Gent, wanneer wordt dit opgelost? "
                   * 3, '{"lang": "nl"}') for n in range(rows)]
        for start in range(0, rows, 1000):
            chunk = values[start:start + 1000]
            placeholders = ",".join(["(%s,%s,%s,%s,%s)"] * len(chunk))
            cursor.execute(f"INSERT INTO bench_rows VALUES {placeholders} ON CONFLICT DO NOTHING",  # noqa: S608
                           [v for row in chunk for v in row])
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_rows")
    return rows / elapsed


# --- the benchmarks --------------------------------------------------------------------------------


def _poll_mentions(account_ids: list[int]) -> None:
    from connectors import tasks

    for account_id in account_ids:
        tasks.poll(account_id, "x_mentions")


def _ingest_round(accounts: list[Any], workers: int) -> tuple[int, float]:
    """Poll every account from the start with ``workers`` processes; (messages stored, seconds)."""
    import multiprocessing

    from django.db import connection, connections

    from inbox.models import Message, PollCursor

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE inbox_event, inbox_pendingconduct, inbox_message, inbox_mentiontag, inbox_mention,"
                       " inbox_contact, inbox_post, inbox_pollcursor CASCADE")
    for account in accounts:  # past the first-run cap: everything since id 1
        PollCursor.objects.create(account=account, stream="x_mentions", cursor="1")
    connections.close_all()  # the children open their own
    context = multiprocessing.get_context("fork")
    shares = [[account.pk for account in accounts[n::workers]] for n in range(workers)]
    started = time.perf_counter()
    processes = [context.Process(target=_poll_mentions, args=(share,)) for share in shares]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(process.exitcode for process in processes):
        raise RuntimeError("an ingest worker failed")
    return Message.objects.count(), elapsed


@benchmark("connector_ingest")
def connector_ingest() -> dict[str, Any]:
    """Mentions stored per second through the real path (sandbox -> tweepy -> ingest).

    Once by one worker process, once by as many as production runs on this machine
    (``BENCH_INGEST_WORKERS``, default 2: the worker concurrency of two cores), each polling
    its share of the accounts.
    """
    url_db = _use_connectors_database()
    accounts = int(os.environ.get("BENCH_INGEST_ACCOUNTS", "25"))
    workers = int(os.environ.get("BENCH_INGEST_WORKERS", "2"))
    with _sandbox() as server:
        world = _world(server.url, x_accounts=accounts, pages=0)
        _register(server, world["accounts"])
        rng = random.Random(3)
        from connectors.sandbox import phrases

        for account in world["accounts"]:
            for number in range(800):  # X returns at most the 800 most recent mentions
                author = server.world.x_user(username=f"c{account.external_id}_{number % 300}")
                phrase = phrases.compose(rng, language=rng.choice(phrases.LANGUAGES))
                server.world.tweet_create(author_id=author.id, text=f"@{account.handle} {phrase.text}")
        stored, elapsed = _ingest_round(world["accounts"], 1)
        stored_parallel, elapsed_parallel = _ingest_round(world["accounts"], workers)
    reference = _bulk_insert_reference(50_000)
    rate = stored_parallel / elapsed_parallel
    return {"database": urlparse(url_db).path.lstrip("/"), "mentions": stored_parallel, "workers": workers,
            "seconds": round(elapsed_parallel, 2), "mentions_per_s": round(rate), "target_per_s": 2000,
            "one_worker_mentions_per_s": round(stored / elapsed), "bulk_insert_rows_per_s": round(reference),
            "ratio_to_bulk_insert": round(rate / reference, 3)}


@benchmark("connector_storm")
def connector_storm() -> dict[str, Any]:
    """3,000 comments on one post: all in the inbox within 10 s of the poll that sees them."""
    from connectors import tasks
    from inbox.models import Mention, PollCursor

    _use_connectors_database()
    count = int(os.environ.get("BENCH_STORM_COMMENTS", "3000"))
    with _sandbox() as server:
        world = _world(server.url, x_accounts=0, pages=1)
        _register(server, world["accounts"])
        page = world["accounts"][0]
        tasks.poll(page.pk, "fb_comments")  # the quiet evening before
        state = server.scenarios.start({"name": "storm", "page_id": page.external_id, "count": count, "minutes": 0})
        PollCursor.objects.update(next_poll_at=None)
        started = time.perf_counter()
        tasks.poll(page.pk, "fb_comments")
        elapsed = time.perf_counter() - started
        stored = Mention.objects.filter(context_post__platform_id=state["post_id"]).count()
    return {"comments": count, "in_inbox": stored, "seconds_after_poll": round(elapsed, 2), "target_seconds": 10,
            "comments_per_s": round(stored / elapsed)}


@benchmark("connector_latency")
def connector_latency() -> dict[str, Any]:
    """Post on the sandbox -> visible in the inbox: by polling (interval 5 s) and by webhook."""
    import tempfile

    from django.conf import settings

    from inbox.models import Message

    database = _use_connectors_database()
    samples = int(os.environ.get("BENCH_LATENCY_SAMPLES", "20"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-connectors-"))
    settings.META_APP_SECRET = os.environ.get("META_APP_SECRET") or "bench-app-secret"
    with _sandbox() as server, _redis(workdir) as redis_url:
        world = _world(server.url, x_accounts=1, pages=1, interval=5)
        _register(server, world["accounts"])
        x_account, page = world["accounts"]
        with _workers(database, redis_url, 2, workdir), _web(redis_url) as web:
            beat = _Beat(redis_url)
            beat.start()
            time.sleep(8)  # first polls: cursors set
            poll_latencies = []
            for _ in range(samples):
                author = server.world.x_user()
                tweet = server.world.tweet_create(author_id=author.id, text=f"@{x_account.handle} poll {_}")
                created = time.perf_counter()
                if _wait(lambda t=tweet: Message.objects.filter(platform_id=t.id).exists(), 30):
                    poll_latencies.append(time.perf_counter() - created)
                time.sleep(random.uniform(0, 6))  # independent of the poll cycle
            server.webhooks.configure({"url": f"{web}/webhooks/meta", "app_secret": settings.META_APP_SECRET})
            post = server.world.post_create(page_id=page.external_id, message="Deal")
            webhook_latencies = []
            for number in range(samples):
                who = server.world.fb_person()
                comment = server.world.comment_create(target_id=post.id, message=f"webhook {number}", from_id=who.id)
                created = time.perf_counter()
                if _wait(lambda c=comment: Message.objects.filter(platform_id=c.id).exists(), 30):
                    webhook_latencies.append(time.perf_counter() - created)
                time.sleep(random.uniform(0.2, 1))
            beat.stopping.set()
    return {
        "poll_interval_s": 5,
        "poll": {"samples": len(poll_latencies), **summary_ms(poll_latencies),
                 "max_ms": round(max(poll_latencies, default=0) * 1000), "target_ms": "interval + 2000"},
        "webhook": {"samples": len(webhook_latencies), **summary_ms(webhook_latencies), "target_p95_ms": 2000},
    }


@benchmark("connector_send")
def connector_send() -> dict[str, Any]:
    """30 agents answering: from the end of the undo window to the platform receiving the request."""
    import tempfile

    from django.db import connections

    from connectors.base import RemoteAuthor, RemoteMessage
    from inbox.models import Delivery, DeliveryState, Mention
    from inbox.services.ingest import messages_ingest
    from inbox.services.mentions import mention_claim
    from inbox.services.replies import mention_reply

    database = _use_connectors_database()
    rounds = int(os.environ.get("BENCH_SEND_ROUNDS", "3"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-connectors-"))
    with _sandbox() as server, _redis(workdir) as redis_url:
        world = _world(server.url, x_accounts=1, pages=0, undo=2)
        _register(server, world["accounts"])
        account = world["accounts"][0]
        items = []
        for number in range(30 * rounds):
            author = server.world.x_user()
            tweet = server.world.tweet_create(author_id=author.id, text=f"@{account.handle} vraag {number}")
            items.append(RemoteMessage(platform_id=tweet.id, kind="mention", text=tweet.text,
                                       posted_at=tweet.created_at, author=RemoteAuthor(platform_id=author.id,
                                                                                       handle=author.username)))
        messages_ingest(account_id=account.pk, items=items)
        _point_app_at(redis_url)
        with _workers(database, redis_url, 2, workdir):
            beat = _Beat(redis_url)
            beat.start()
            mentions = list(Mention.objects.order_by("id").values_list("id", flat=True))
            errors: list[str] = []

            def agent_loop(index: int) -> None:
                user = world["agents"][index]
                try:
                    for round_ in range(rounds):
                        mention_id = mentions[round_ * 30 + index]
                        mention_claim(user=user, mention_id=mention_id)
                        mention_reply(user=user, mention_id=mention_id, text=f"Antwoord {round_} van {index}")
                        time.sleep(random.uniform(0.5, 3))
                except Exception as error:  # reported, not hidden
                    errors.append(repr(error))
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=agent_loop, args=(i,)) for i in range(30)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            expected = 30 * rounds
            _wait(lambda: Delivery.objects.filter(state=DeliveryState.SENT).count() >= expected, 120)
            beat.stopping.set()
        arrivals = {}
        for entry in server.log.entries(path="/2/tweets$", method="POST"):
            body = entry["body"]
            arrivals[body] = entry["at"]
        latencies, claim_delays = [], []
        for delivery in Delivery.objects.filter(state=DeliveryState.SENT):
            sent_body = json.dumps({"text": delivery.payload["text"], "reply": {
                "in_reply_to_tweet_id": delivery.target_platform_id}})
            at = next((at for body, at in arrivals.items() if json.loads(body) == json.loads(sent_body)), None)
            if at is not None:
                latencies.append(at - delivery.send_after.timestamp())
                claim_delays.append((delivery.attempt_started_at - delivery.send_after).total_seconds())
        posts = len(server.log.entries(path="/2/tweets$", method="POST"))
    return {
        "agents": 30, "answers": 30 * rounds, "sent": len(latencies), "platform_posts": posts,
        "errors": errors[:3], **summary_ms([max(0.0, value) for value in latencies]), "target_p95_ms": 2000,
        "undo_end_to_claim": summary_ms([max(0.0, value) for value in claim_delays]),
        "undo_seconds": 2, "workers": 2,
    }

