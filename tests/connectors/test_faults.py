"""Faults with real processes: Celery workers killed with -9, Redis restarted, PostgreSQL connections cut.

The worker runs ``celery -A webcare worker`` against the test database and a private
redis-server; the sandbox platform runs in this process. Beat is played by the test:
it sends the sweeper's wake-up when the real beat would.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.test import Client
from django.utils import timezone

from connectors import tasks
from inbox.models import Delivery, DeliveryState, Mention, Message, Stream
from inbox.services.mentions import mention_claim
from inbox.services.replies import mention_reply
from tests.connectors.conftest import X_HANDLE, X_ID
from tests.connectors.processes import RedisServer, Worker, wait_for
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary"),
    pytest.mark.timeout(240),
]


@pytest.fixture
def redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def broker(redis) -> Celery:
    """What beat and the web process do: put messages on the broker the worker reads."""
    app = Celery("fault-tests", broker=redis.url)
    app.conf.broker_connection_retry_on_startup = True
    return app


@pytest.fixture
def worker(redis, tmp_path, request) -> Iterator[Worker]:
    process = Worker(redis_url=redis.url, workdir=tmp_path, name=f"faults-{request.node.name[:30]}").start()
    yield process
    process.stop()


def our_posts(world) -> list:  # type: ignore[no-untyped-def]
    return [t for t in world.tweets.values() if t.author_id == X_ID]


def an_answer(world, account, agent, text: str = "We kijken het na", *, name: str = "sofie") -> Delivery:  # type: ignore[no-untyped-def]
    author = world.x_user(username=name)
    world.tweet_create(author_id=author.id, text=f"@{X_HANDLE} geen internet ({name})")
    tasks.poll(account.pk, Stream.X_MENTIONS)
    mention = Mention.objects.get(contact__external_id=author.id)
    mention_claim(user=agent, mention_id=mention.pk)
    delivery = mention_reply(user=agent, mention_id=mention.pk, text=text)
    Delivery.objects.filter(pk=delivery.pk).update(send_after=timezone.now())
    return delivery


def state(delivery: Delivery) -> str:
    return Delivery.objects.get(pk=delivery.pk).state


def wsgi_get(path: str, *, session: str) -> str:
    from webcare.wsgi import application

    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "HTTP_HOST": "localhost", "HTTP_COOKIE": f"sessionid={session}",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
    }
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return statuses[0]


def kill_worker(worker: Worker, how: str) -> None:
    if how == "pool process":
        worker.kill_child()  # the worker replaces it; the message comes back (reject_on_worker_lost)
    else:
        worker.kill()  # the message stays unacked in Redis for the visibility timeout
        worker.start()


def assert_posted_exactly_once(world, delivery: Delivery, broker: Celery, worker: Worker) -> None:  # type: ignore[no-untyped-def]
    assert sweep_until(broker, lambda: state(delivery) == DeliveryState.SENT), worker.log()
    assert len(our_posts(world)) == 1
    assert Delivery.objects.get(pk=delivery.pk).platform_id == our_posts(world)[0].id


def sweep_until(broker: Celery, predicate, timeout: float = 60) -> bool:  # type: ignore[no-untyped-def]
    """Beat's job: wake the sweeper every couple of seconds until ``predicate`` holds."""
    def tick() -> bool:
        if predicate():
            return True
        broker.send_task("connectors.deliveries_sweep")
        return wait_for(predicate, timeout=2)

    return wait_for(tick, timeout=timeout, interval=0)


@pytest.mark.parametrize("kill", ["pool process", "whole worker"])
def test_a_worker_killed_before_the_platform_accepted_posts_the_reply_exactly_once(
    world, sandbox, x_account, agent, broker, worker, kill,
):
    delivery = an_answer(world, x_account, agent)
    # The request reaches the platform and hangs there; the platform never processes it.
    sandbox.faults.add({"kind": "drop", "path": "/2/tweets$", "method": "POST", "seconds": 20})
    broker.send_task("connectors.delivery_send", args=[delivery.pk])
    assert wait_for(lambda: sandbox.log.entries(path="/2/tweets$", method="POST"), timeout=30), worker.log()
    assert state(delivery) == DeliveryState.SENDING

    kill_worker(worker, kill)

    assert_posted_exactly_once(world, delivery, broker, worker)


@pytest.mark.parametrize("kill", ["pool process", "whole worker"])
def test_a_worker_killed_after_the_platform_accepted_never_posts_twice(
    world, sandbox, x_account, agent, broker, worker, kill,
):
    delivery = an_answer(world, x_account, agent)
    # The platform creates the post, then takes its time to answer.
    sandbox.faults.add({"kind": "accept_then_hang", "path": "/2/tweets$", "method": "POST", "seconds": 20})
    broker.send_task("connectors.delivery_send", args=[delivery.pk])
    assert wait_for(lambda: our_posts(world), timeout=30), worker.log()

    kill_worker(worker, kill)

    assert_posted_exactly_once(world, delivery, broker, worker)


def test_a_redis_restart_mid_flight_loses_no_answer_and_no_mention(world, sandbox, x_account, agent, broker, redis,
                                                                    worker):
    deliveries = [an_answer(world, x_account, agent, f"Antwoord {n}", name=f"klant{n}") for n in range(12)]
    sandbox.faults.add({"kind": "delay", "path": "/2/tweets$", "method": "POST", "seconds": 0.3, "times": 100})
    for delivery in deliveries:
        broker.send_task("connectors.delivery_send", args=[delivery.pk])
    assert wait_for(lambda: len(our_posts(world)) >= 2, timeout=30), worker.log()

    redis.restart()  # no persistence: every queued message is gone
    late = world.tweet_create(author_id=world.x_user(username="laat").id, text=f"@{X_HANDLE} tijdens de storing")
    broker.send_task("connectors.poll", args=[x_account.pk, Stream.X_MENTIONS])

    everything_sent = lambda: all(state(d) == DeliveryState.SENT for d in deliveries)  # noqa: E731
    assert sweep_until(broker, everything_sent, timeout=120), worker.log()
    assert wait_for(lambda: Message.objects.filter(platform_id=late.id).exists(), timeout=30), worker.log()
    texts = sorted(t.text for t in our_posts(world))
    assert texts == sorted(f"Antwoord {n} ^AV" for n in range(12))


def test_after_postgresql_drops_every_connection_the_next_request_and_task_succeed(
    world, sandbox, x_account, agent, broker, worker,
):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    assert client.get("/api/v1/accounts/health/").status_code == 200
    first = an_answer(world, x_account, agent, "Eerste", name="een")
    broker.send_task("connectors.delivery_send", args=[first.pk])
    assert wait_for(lambda: state(first) == DeliveryState.SENT, timeout=30), worker.log()

    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname="postgres",
                         autocommit=True) as admin_connection:
        killed = admin_connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> "
            "pg_backend_pid()", [settings["NAME"]]).fetchone()[0]

    assert killed >= 1
    # Through the WSGI application as gunicorn calls it (the test client keeps its connection on purpose).
    assert wsgi_get("/api/v1/accounts/health/", session=client.cookies["sessionid"].value).startswith("200")
    second = an_answer(world, x_account, agent, "Tweede", name="twee")
    broker.send_task("connectors.delivery_send", args=[second.pk])
    assert wait_for(lambda: state(second) == DeliveryState.SENT, timeout=30), worker.log()
