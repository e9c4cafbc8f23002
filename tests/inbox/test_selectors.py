import datetime as dt

import pytest
from django.utils import timezone

from inbox.exceptions import Invalid, NotFound
from inbox.models import Mention
from inbox.selectors import Queue, mention_get_for_agent, mention_queue_for_agent
from inbox.services import mentions as svc
from inbox.services.ingest import messages_ingest
from tests.factories import remote_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(x_account):
    now = timezone.now()
    items = [
        remote_message(author_id=str(100 + i), posted_at=now - dt.timedelta(minutes=i % 7)) for i in range(23)
    ]
    messages_ingest(account_id=x_account.pk, items=items)
    Mention.objects.filter(pk__in=list(Mention.objects.order_by("id").values_list("id", flat=True)[:4])).update(priority=3)
    return list(Mention.objects.all())


def test_pages_cover_the_queue_once_in_priority_then_waiting_order(many, agent):
    seen, cursor = [], None
    while True:
        page = mention_queue_for_agent(user=agent, queue=Queue.UNCLAIMED, cursor=cursor, limit=5)
        seen.extend(page.mentions)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(seen) == len({m.pk for m in seen}) == 23
    keys = [(-m.priority, m.waiting_since, m.pk) for m in seen]
    assert keys == sorted(keys)


def test_the_queue_only_shows_the_agents_teams(many, outsider):
    assert mention_queue_for_agent(user=outsider, queue=Queue.UNCLAIMED).mentions == []


def test_mine_shows_what_i_claimed(many, agent, other_agent):
    svc.mention_claim(user=agent, mention_id=many[0].pk)
    svc.mention_claim(user=other_agent, mention_id=many[1].pk)

    mine = mention_queue_for_agent(user=agent, queue=Queue.MINE).mentions

    assert [m.pk for m in mine] == [many[0].pk]


def test_closed_pages_newest_first(many, lead, category):
    for mention in many[:6]:
        svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)

    first = mention_queue_for_agent(user=lead, queue=Queue.CLOSED, limit=4)
    second = mention_queue_for_agent(user=lead, queue=Queue.CLOSED, limit=4, cursor=first.next_cursor)

    closed = first.mentions + second.mentions
    assert [m.pk for m in closed] == [m.pk for m in sorted(closed, key=lambda m: (m.closed_at, m.pk), reverse=True)]
    assert len({m.pk for m in closed}) == 6 and second.next_cursor is None


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WzEsMiwzXQ", "WyJ4IiwieSIsInoiXQ"])
def test_a_tampered_cursor_is_a_clear_error(many, agent, cursor):
    with pytest.raises(Invalid) as refused:
        mention_queue_for_agent(user=agent, queue=Queue.UNCLAIMED, cursor=cursor)

    assert refused.value.code == "bad_cursor"


def test_an_unknown_queue_is_refused(agent):
    with pytest.raises(Invalid):
        mention_queue_for_agent(user=agent, queue="everything")


def test_the_first_page_costs_the_same_queries_at_any_size(x_account, agent, django_assert_num_queries):
    messages_ingest(account_id=x_account.pk, items=[remote_message(author_id=str(i)) for i in range(3)])
    with django_assert_num_queries(2):
        mention_queue_for_agent(user=agent, queue=Queue.UNCLAIMED)
    messages_ingest(account_id=x_account.pk, items=[remote_message(author_id=str(50 + i)) for i in range(40)])
    with django_assert_num_queries(2):
        page = mention_queue_for_agent(user=agent, queue=Queue.UNCLAIMED)
        _ = [(m.account.brand.name, m.contact.handle) for m in page.mentions]


def test_a_mention_of_another_team_is_not_found(many, outsider):
    with pytest.raises(NotFound):
        mention_get_for_agent(user=outsider, mention_id=many[0].pk)
