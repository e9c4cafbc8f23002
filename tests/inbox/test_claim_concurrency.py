"""Claims under real contention: 30 threads, each with its own PostgreSQL connection."""

import threading
from collections import Counter

import pytest
from django.db import connection

from inbox.exceptions import Conflict
from inbox.models import Event, EventAction, Mention, MentionStatus
from inbox.services import mentions as svc
from inbox.services.ingest import messages_ingest
from tests.factories import agent_in, remote_message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_thirty_agents_claiming_next_each_get_different_mentions(x_account, team):
    messages_ingest(
        account_id=x_account.pk, items=[remote_message(author_id=str(1000 + i)) for i in range(300)]
    )
    agents = [agent_in(team, username=f"racer{i}") for i in range(30)]

    def claim_until_empty(index: int) -> list[int]:
        claimed = []
        while (mention_id := svc.mention_claim_next(user=agents[index])) is not None:
            claimed.append(mention_id)
        return claimed

    per_agent = run_in_threads(30, claim_until_empty)

    everything = [pk for claimed in per_agent for pk in claimed]
    assert len(everything) == 300, "every mention was claimed"
    assert len(set(everything)) == 300, "no mention was claimed twice"
    assert not Mention.objects.filter(status=MentionStatus.NEW).exists()
    claims = Counter(Event.objects.filter(action=EventAction.CLAIMED).values_list("mention_id", flat=True))
    assert set(claims.values()) == {1}
    for index, claimed in enumerate(per_agent):
        assert Mention.objects.filter(pk__in=claimed).exclude(assignee=agents[index]).count() == 0


def test_two_agents_claiming_the_same_mention_one_wins_one_is_told(x_account, team):
    report = messages_ingest(account_id=x_account.pk, items=[remote_message()])
    mention_id = report.new_mention_ids[0]
    agents = [agent_in(team, username="first"), agent_in(team, username="second")]

    def claim(index: int) -> str:
        try:
            svc.mention_claim(user=agents[index], mention_id=mention_id)
            return "won"
        except Conflict as refused:
            assert refused.code == "already_claimed"
            return "lost"

    outcomes = run_in_threads(2, claim)

    assert sorted(outcomes) == ["lost", "won"]
    winner = agents[outcomes.index("won")]
    assert Mention.objects.get(pk=mention_id).assignee == winner
    assert Event.objects.filter(action=EventAction.CLAIMED, mention_id=mention_id).count() == 1


def test_the_same_batch_ingested_by_poll_and_webhook_at_once_is_stored_once(x_account):
    items = [remote_message(platform_id=str(70_000 + i), author_id=str(5000 + i)) for i in range(50)]

    run_in_threads(10, lambda _index: messages_ingest(account_id=x_account.pk, items=items))

    assert Mention.objects.count() == 50
    assert Event.objects.filter(action=EventAction.INGESTED).count() == 50
