import pytest

from inbox.exceptions import Conflict, Invalid, NotAllowed, NotFound
from inbox.models import Event, EventAction, Mention, MentionStatus
from inbox.services import mentions as svc
from inbox.services.transitions import mention_transition
from tests.factories import mention_for

S = MentionStatus
pytestmark = pytest.mark.django_db


def last_event(mention: Mention) -> Event:
    return Event.objects.filter(mention=mention).latest("id")


def test_claim_moves_new_to_claimed_and_logs_it(x_account, agent):
    mention = mention_for(x_account)

    claimed = svc.mention_claim(user=agent, mention_id=mention.pk)

    assert (claimed.status, claimed.assignee) == (S.CLAIMED, agent)
    event = last_event(mention)
    assert (event.action, event.actor, event.from_status, event.to_status) == ("claimed", agent, "new", "claimed")


def test_claim_fails_when_already_claimed_and_says_by_whom(x_account, agent, other_agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Conflict) as refused:
        svc.mention_claim(user=other_agent, mention_id=mention.pk)

    assert refused.value.code == "already_claimed"
    assert "Ana" in refused.value.message
    assert Mention.objects.get(pk=mention.pk).assignee == agent


def test_claim_twice_by_the_same_agent_is_not_an_error(x_account, agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    again = svc.mention_claim(user=agent, mention_id=mention.pk)

    assert again.assignee == agent
    assert Event.objects.filter(mention=mention, action=EventAction.CLAIMED).count() == 1


def test_claim_of_another_teams_mention_is_not_found(x_account, outsider):
    mention = mention_for(x_account)

    with pytest.raises(NotFound):
        svc.mention_claim(user=outsider, mention_id=mention.pk)


def test_claim_of_a_closed_mention_is_refused(x_account, agent, lead, category):
    mention = mention_for(x_account)
    svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)

    with pytest.raises(Conflict):
        svc.mention_claim(user=agent, mention_id=mention.pk)


def test_claim_next_takes_highest_priority_then_longest_waiting(x_account, agent):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    old = mention_for(x_account, posted_at=now - dt.timedelta(hours=3))
    newer = mention_for(x_account, posted_at=now - dt.timedelta(hours=1), author_id="777")
    urgent = mention_for(x_account, posted_at=now, author_id="888")
    Mention.objects.filter(pk=urgent.pk).update(priority=3)

    first = svc.mention_claim_next(user=agent)
    second = svc.mention_claim_next(user=agent)
    third = svc.mention_claim_next(user=agent)

    assert [first, second, third] == [urgent.pk, old.pk, newer.pk]
    assert svc.mention_claim_next(user=agent) is None


def test_claim_next_logs_the_claim_like_a_claim(x_account, agent):
    mention = mention_for(x_account)

    svc.mention_claim_next(user=agent)

    claimed = Mention.objects.get(pk=mention.pk)
    assert (claimed.status, claimed.assignee, claimed.version) == (S.CLAIMED, agent, 2)
    event = last_event(mention)
    assert (event.action, event.actor, event.from_status, event.to_status) == ("claimed", agent, "new", "claimed")
    assert event.data["changes"]["assignee"] == [None, agent.pk]


def test_claim_next_can_be_limited_to_some_teams(x_account, agent, other_team):
    from tests.factories import MembershipFactory, SocialAccountFactory

    MembershipFactory(team=other_team, user=agent)
    elsewhere = mention_for(SocialAccountFactory(team=other_team, brand=x_account.brand))
    mention_for(x_account, author_id="321")

    assert svc.mention_claim_next(user=agent, team_ids=[other_team.pk]) == elsewhere.pk


def test_the_portable_claim_next_gives_the_same_order(x_account, agent):
    import datetime as dt

    from django.utils import timezone

    old = mention_for(x_account, posted_at=timezone.now() - dt.timedelta(hours=2))
    urgent = mention_for(x_account, author_id="888")
    Mention.objects.filter(pk=urgent.pk).update(priority=3)

    assert svc._claim_next_portable(agent, None) == urgent.pk
    assert svc._claim_next_portable(agent, None) == old.pk
    assert svc._claim_next_portable(agent, None) is None


def test_claim_next_without_a_team_is_refused(db):
    from tests.factories import UserFactory

    with pytest.raises(NotAllowed):
        svc.mention_claim_next(user=UserFactory())


def test_release_returns_the_mention_to_the_queue(x_account, agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    released = svc.mention_release(user=agent, mention_id=mention.pk)

    assert (released.status, released.assignee) == (S.NEW, None)
    assert last_event(mention).action == EventAction.RELEASED


def test_release_by_another_agent_is_refused(x_account, agent, other_agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(NotAllowed):
        svc.mention_release(user=other_agent, mention_id=mention.pk)


def test_release_by_a_lead_is_allowed(x_account, agent, lead):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    assert svc.mention_release(user=lead, mention_id=mention.pk).status == S.NEW


def test_release_of_an_unclaimed_mention_is_refused(x_account, lead):
    mention = mention_for(x_account)

    with pytest.raises(Conflict):
        svc.mention_release(user=lead, mention_id=mention.pk)


def test_lead_assigns_to_a_team_member(x_account, lead, agent):
    mention = mention_for(x_account)

    assigned = svc.mention_assign(user=lead, mention_id=mention.pk, assignee_id=agent.pk)

    assert (assigned.status, assigned.assignee) == (S.CLAIMED, agent)
    assert last_event(mention).action == EventAction.ASSIGNED


def test_agent_cannot_assign(x_account, agent, other_agent):
    mention = mention_for(x_account)

    with pytest.raises(NotAllowed):
        svc.mention_assign(user=agent, mention_id=mention.pk, assignee_id=other_agent.pk)


def test_assign_to_someone_outside_the_team_is_refused(x_account, lead, outsider):
    mention = mention_for(x_account)

    with pytest.raises(Invalid):
        svc.mention_assign(user=lead, mention_id=mention.pk, assignee_id=outsider.pk)


def test_close_requires_a_category(x_account, agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Invalid) as refused:
        svc.mention_close(user=agent, mention_id=mention.pk, category_id=None)

    assert refused.value.code == "category_required"
    assert Mention.objects.get(pk=mention.pk).status == S.CLAIMED


def test_close_with_a_category_closes_and_logs(x_account, agent, category):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    closed = svc.mention_close(user=agent, mention_id=mention.pk, category_id=category.pk)

    assert (closed.status, closed.category, closed.waiting_since) == (S.CLOSED, category, None)
    assert closed.closed_at is not None
    event = last_event(mention)
    assert (event.action, event.from_status, event.to_status) == ("closed", "claimed", "closed")
    assert event.data["changes"]["category"] == [None, category.pk]


def test_agent_cannot_close_an_unclaimed_mention(x_account, agent, category):
    mention = mention_for(x_account)

    with pytest.raises(NotAllowed):
        svc.mention_close(user=agent, mention_id=mention.pk, category_id=category.pk)


def test_agent_cannot_close_another_agents_mention(x_account, agent, other_agent, category):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(NotAllowed):
        svc.mention_close(user=other_agent, mention_id=mention.pk, category_id=category.pk)


def test_close_twice_is_refused(x_account, lead, category):
    mention = mention_for(x_account)
    svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)

    with pytest.raises(Conflict):
        svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)


def test_reopen_brings_a_closed_mention_back_claimed_by_the_agent(x_account, agent, lead, category):
    mention = mention_for(x_account)
    svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)

    reopened = svc.mention_reopen(user=agent, mention_id=mention.pk)

    assert (reopened.status, reopened.assignee, reopened.closed_at) == (S.CLAIMED, agent, None)
    assert last_event(mention).action == EventAction.REOPENED


def test_reopen_of_an_open_mention_is_refused(x_account, agent):
    mention = mention_for(x_account)

    with pytest.raises(Conflict):
        svc.mention_reopen(user=agent, mention_id=mention.pk)


def test_escalate_hands_the_mention_to_the_leads(x_account, agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)
    mention.refresh_from_db()

    escalated = svc.mention_escalate(user=agent, mention=mention, reason="threat")

    assert (escalated.status, escalated.assignee) == (S.ESCALATED, None)
    event = last_event(mention)
    assert (event.action, event.reason) == (EventAction.ESCALATED, "threat")


def test_escalating_a_closed_mention_is_refused(x_account, agent, lead, category):
    mention = mention_for(x_account)
    closed = svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)

    with pytest.raises(Conflict):
        svc.mention_escalate(user=agent, mention=closed, reason="threat")


def test_a_stale_read_loses_cleanly(x_account, agent, other_agent):
    mention = mention_for(x_account)
    stale = Mention.objects.get(pk=mention.pk)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    with pytest.raises(Conflict) as refused:
        mention_transition(
            mention=stale, to=S.CLAIMED, allowed_from={S.NEW}, action=EventAction.CLAIMED, actor=other_agent,
            values={"assignee": other_agent},
        )

    assert refused.value.data["current_status"] == S.CLAIMED
    assert Event.objects.filter(mention=mention, action=EventAction.CLAIMED).count() == 1


def test_a_transition_outside_the_table_is_a_programming_error(x_account, agent):
    mention = mention_for(x_account)

    with pytest.raises(ValueError, match="not in the transition table"):
        mention_transition(mention=mention, to=S.WAITING, allowed_from={S.NEW}, action=EventAction.REPLIED, actor=agent)


def test_priority_change_is_logged(x_account, agent):
    mention = mention_for(x_account)
    svc.mention_claim(user=agent, mention_id=mention.pk)

    svc.mention_set_priority(user=agent, mention_id=mention.pk, priority=3)

    assert Mention.objects.get(pk=mention.pk).priority == 3
    assert last_event(mention).data == {"changes": {"priority": [1, 3]}}


def test_note_is_internal_and_logged(x_account, agent):
    mention = mention_for(x_account)

    note = svc.mention_add_note(user=agent, mention_id=mention.pk, text="Klant belde ook al")

    assert (note.direction, note.platform_id) == ("note", None)
    assert last_event(mention).action == EventAction.NOTED


def test_empty_note_is_refused(x_account, agent):
    mention = mention_for(x_account)

    with pytest.raises(Invalid):
        svc.mention_add_note(user=agent, mention_id=mention.pk, text="   ")


def test_tags_are_replaced_and_the_change_logged(x_account, agent):
    mention = mention_for(x_account)
    svc.mention_set_tags(user=agent, mention_id=mention.pk, tag_names=["outage", "tv"])

    result = svc.mention_set_tags(user=agent, mention_id=mention.pk, tag_names=["outage", "billing"])

    assert result == ["billing", "outage"]
    assert sorted(mention.tags.values_list("name", flat=True)) == ["billing", "outage"]
    assert last_event(mention).data == {"changes": {"tags": [["outage", "tv"], ["billing", "outage"]]}}
