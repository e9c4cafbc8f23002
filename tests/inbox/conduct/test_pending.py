"""The ladder's steps run after ingest commits (a transactional outbox), and the queue is right before."""

import threading

import pytest
from django.db import connection

from inbox.models import (
    ConductCase,
    ConductStatus,
    Event,
    EventAction,
    Mention,
    MentionStatus,
    PendingConduct,
    Strike,
)
from inbox.services import mentions as mention_svc
from inbox.services.conduct import mention_send_house_rules
from inbox.services.ingest import messages_ingest
from inbox.services.screening import conduct_pending_process
from inbox.tasks import conduct_pending
from tests.factories import remote_message

from .conftest import post

pytestmark = pytest.mark.django_db
THREAT = "Fix it by tomorrow or I will come to your shop and you'll regret it."


def test_a_threat_is_in_the_leads_queue_as_soon_as_it_is_stored(fb_account, policy):
    messages_ingest(account_id=fb_account.pk, items=[remote_message(platform_id="c1", text=THREAT, kind="comment")])

    mention = Mention.objects.get()
    assert (mention.status, mention.priority, mention.is_abusive) == (MentionStatus.ESCALATED, 3, True)
    escalated = Event.objects.get(mention=mention, action=EventAction.ESCALATED)
    assert (escalated.to_status, escalated.reason) == ("escalated", "threat")
    assert PendingConduct.objects.filter(message__platform_id="c1").exists()
    assert not ConductCase.objects.exists(), "the case is opened by the worker, after commit"


def test_ingest_wakes_the_worker_only_after_commit(fb_account, policy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        messages_ingest(account_id=fb_account.pk, items=[remote_message(text="Stelletje klootzakken", kind="comment")])

    assert len(callbacks) == 1


def test_a_batch_without_abuse_queues_nothing(fb_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        messages_ingest(account_id=fb_account.pk, items=[remote_message(text="Wanneer komt de technieker?")])

    assert callbacks == [] and not PendingConduct.objects.exists()


def test_the_worker_opens_the_case_escalates_and_forgets_the_row(fb_account, policy):
    messages_ingest(account_id=fb_account.pk, items=[remote_message(platform_id="c1", text=THREAT, kind="comment")])

    assert conduct_pending_process() == 1

    case = ConductCase.objects.get()
    assert case.status == ConductStatus.ESCALATED and case.classes == ["threat"]
    assert Strike.objects.count() == 1
    assert not PendingConduct.objects.exists()


def test_a_lost_wake_up_call_is_made_good_by_the_sweeper(fb_account, policy):
    messages_ingest(account_id=fb_account.pk, items=[remote_message(text="Stelletje klootzakken", kind="comment")])

    assert conduct_pending.apply().get() == 1  # beat runs the same task every 30 s
    assert conduct_pending.apply().get() == 0
    assert ConductCase.objects.count() == 1


def test_a_warned_persons_new_mention_arrives_with_the_leads(fb_account, policy, agent):
    first = post(fb_account, "Stelletje klootzakken", author_id="77")
    mention_svc.mention_claim(user=agent, mention_id=first.pk)
    mention_send_house_rules(user=agent, mention_id=first.pk)

    messages_ingest(account_id=fb_account.pk, items=[remote_message(text="Wanneer komt de technieker?",
                                                                    author_id="77", kind="comment")])

    later = Mention.objects.exclude(pk=first.pk).get()
    assert (later.status, later.after_warning) == (MentionStatus.ESCALATED, True)
    assert Event.objects.get(mention=later, action=EventAction.ESCALATED).reason == "after_warning"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_process_one_message_twice(fb_account, policy):
    items = [remote_message(platform_id=f"c{n}", author_id=str(100 + n), text="Stelletje klootzakken", kind="comment")
             for n in range(20)]
    messages_ingest(account_id=fb_account.pk, items=items)
    counts = []

    def work() -> None:
        try:
            counts.append(conduct_pending_process())
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(counts) == 20
    assert ConductCase.objects.count() == 20
    assert Event.objects.filter(action=EventAction.CONDUCT_FLAGGED).count() == 20
