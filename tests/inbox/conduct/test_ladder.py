"""The escalation ladder: flagged, house rules and a strike, escalation, the leads' review."""

import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from inbox.exceptions import Conflict, Invalid, NotAllowed, NotFound
from inbox.models import (
    ConductCase,
    ConductStatus,
    Contact,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Event,
    EventAction,
    Mention,
    MentionStatus,
    Priority,
    Strike,
    StrikeKind,
)
from inbox.services import mentions as mention_svc
from inbox.services.conduct import (
    conduct_forward,
    conduct_lift,
    conduct_uphold,
    house_rules_text,
    mention_flag_abusive,
    mention_send_house_rules,
)
from inbox.services.contacts import contacts_link
from inbox.services.replies import delivery_undo, mention_move_to_private, mention_reply
from tests.factories import SocialAccountFactory, agent_in, remote_message

from .conftest import inbound, post

C = ConductStatus
S = MentionStatus
pytestmark = pytest.mark.django_db


def claimed(mention, agent):
    return mention_svc.mention_claim(user=agent, mention_id=mention.pk)


def warned(mention, agent):
    """Step 1 done: the agent sent the house rules."""
    claimed(mention, agent)
    return mention_send_house_rules(user=agent, mention_id=mention.pk)


# --- Step 1: flagged ---------------------------------------------------------------------------------


def test_an_insult_on_ingest_flags_the_mention_and_raises_its_priority(fb_account, policy):
    mention = post(fb_account, "Stelletje klootzakken, al drie weken geen tv")

    mention.refresh_from_db()
    case = ConductCase.objects.get(mention=mention)
    assert (case.status, case.reason, case.classes) == (C.FLAGGED, "abusive_language", ["insult"])
    assert mention.is_abusive and mention.priority == Priority.HIGH
    assert mention.status == S.NEW  # flagged, not escalated: an agent answers it
    assert inbound(mention).get().is_abusive
    event = Event.objects.get(action=EventAction.CONDUCT_FLAGGED)
    assert (event.mention_id, event.to_status, event.reason) == (mention.pk, C.FLAGGED, "abusive_language")
    assert event.actor is None


def test_an_agent_can_flag_what_the_classifier_missed(fb_account, agent, policy):
    mention = post(fb_account, "Jullie zijn echt slijmballen")

    case = mention_flag_abusive(user=agent, mention_id=mention.pk, abuse_class="insult")

    assert (case.status, case.reason, case.flagged_by) == (C.FLAGGED, "agent_flag", agent)
    assert Event.objects.get(action=EventAction.CONDUCT_FLAGGED).actor == agent


def test_flagging_is_refused_to_another_team(fb_account, outsider):
    mention = post(fb_account, "Jullie zijn echt slijmballen")

    with pytest.raises(NotFound):
        mention_flag_abusive(user=outsider, mention_id=mention.pk, abuse_class="insult")


def test_flagging_a_closed_mention_is_refused(fb_account, agent, category):
    mention = post(fb_account, "Jullie zijn echt slijmballen")
    claimed(mention, agent)
    mention_svc.mention_close(user=agent, mention_id=mention.pk, category_id=category.pk)

    with pytest.raises(Invalid):
        mention_flag_abusive(user=agent, mention_id=mention.pk, abuse_class="insult")


def test_a_public_reply_to_a_flagged_mention_is_refused(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken")
    claimed(mention, agent)

    with pytest.raises(Invalid) as refused:
        mention_reply(user=agent, mention_id=mention.pk, text="Dat kan beter, hoor!")

    assert refused.value.code == "conduct_flagged"


def test_moving_a_flagged_mention_to_private_is_refused(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken")
    claimed(mention, agent)

    with pytest.raises(Invalid) as refused:
        mention_move_to_private(user=agent, mention_id=mention.pk, private_text="Even privé verder?")

    assert refused.value.code == "conduct_flagged"


def test_the_house_rules_go_out_as_a_public_reply_in_the_mentions_language_and_record_a_strike(
    fb_account, agent, policy, house_rules, django_capture_on_commit_callbacks
):
    mention = post(fb_account, "Stelletje klootzakken, al drie weken geen tv")
    claimed(mention, agent)

    with django_capture_on_commit_callbacks() as callbacks:
        delivery = mention_send_house_rules(user=agent, mention_id=mention.pk)

    assert delivery.kind == DeliveryKind.REPLY and delivery.state == DeliveryState.PENDING
    assert delivery.message.text.startswith("We helpen je graag") and delivery.message.text.endswith("^AV")
    assert len(callbacks) == 1  # handed to the outbox after commit, like any reply
    strike = Strike.objects.get()
    assert (strike.kind, strike.contact_id, strike.delivery, strike.created_by) == (
        StrikeKind.WARNING, mention.contact_id, delivery, agent)
    assert strike.expires_at - strike.created_at == dt.timedelta(days=60)
    case = ConductCase.objects.get()
    assert (case.status, case.reason) == (C.WARNED, "house_rules_sent")
    assert Mention.objects.get(pk=mention.pk).status == S.WAITING
    assert Event.objects.filter(action=EventAction.HOUSE_RULES_SENT, mention=mention).count() == 1


def test_house_rules_fall_back_to_the_brands_language_then_to_webcares_wording(fb_account, brand, policy):
    mention = post(fb_account, "You are a bunch of morons")
    Mention.objects.filter(pk=mention.pk).update(language="da")
    mention = Mention.objects.select_related("account__brand").get(pk=mention.pk)

    # No brand text at all: Webcare's own wording, in the mention's language.
    assert "husregler" in house_rules_text(mention=mention).lower()


def test_house_rules_need_the_agents_own_claim(fb_account, agent, other_agent, policy):
    mention = post(fb_account, "Stelletje klootzakken")
    claimed(mention, other_agent)

    with pytest.raises(Conflict):
        mention_send_house_rules(user=agent, mention_id=mention.pk)


def test_house_rules_are_refused_on_a_mention_that_is_not_flagged(fb_account, agent):
    mention = post(fb_account, "Wanneer komt de technieker?")
    claimed(mention, agent)

    with pytest.raises(Conflict) as refused:
        mention_send_house_rules(user=agent, mention_id=mention.pk)

    assert refused.value.code == "not_flagged"


def test_house_rules_are_sent_once(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken")
    warned(mention, agent)

    with pytest.raises(Conflict):
        mention_send_house_rules(user=agent, mention_id=mention.pk)
    assert Strike.objects.count() == 1


def test_undoing_the_house_rules_takes_the_strike_back_and_flags_the_mention_again(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken")
    delivery = warned(mention, agent)

    delivery_undo(user=agent, delivery_id=delivery.pk)

    strike = Strike.objects.get()
    assert strike.lifted_at is not None and strike.lift_reason == "house_rules_undone"
    assert ConductCase.objects.get().status == C.FLAGGED


def test_after_the_house_rules_a_polite_follow_up_is_answered_normally(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken", platform_id="c1")
    warned(mention, agent)
    post(fb_account, "Sorry, ik was boos. Wanneer komt de technieker?", platform_id="c2", parent_platform_id="c1")

    mention.refresh_from_db()
    assert (mention.status, mention.assignee) == (S.CLAIMED, agent)
    assert mention_reply(user=agent, mention_id=mention.pk, text="Morgen tussen 8 en 12u!").kind == DeliveryKind.REPLY


# --- Step 2: repeat or threat ------------------------------------------------------------------------


def test_abuse_again_after_the_house_rules_escalates_to_the_leads_hides_it_and_stops_assistance(
    fb_account, agent, policy
):
    mention = post(fb_account, "Stelletje klootzakken", platform_id="c1")
    warned(mention, agent)

    post(fb_account, "Hou je bek met je huisregels, debielen", platform_id="c2", parent_platform_id="c1")

    mention.refresh_from_db()
    case = ConductCase.objects.get()
    assert (case.status, case.reason) == (C.ESCALATED, "repeat_after_warning")
    assert (mention.status, mention.assignee) == (S.ESCALATED, None)
    hides = Delivery.objects.filter(kind=DeliveryKind.HIDE).order_by("target_platform_id")
    assert [h.target_platform_id for h in hides] == ["c1", "c2"]
    assert Strike.objects.filter(kind=StrikeKind.ESCALATION).count() == 1
    escalated = Event.objects.get(action=EventAction.ESCALATED, mention=mention)
    assert escalated.reason == "repeat_after_warning"
    with pytest.raises(Conflict):
        mention_reply(user=agent, mention_id=mention.pk, text="Nog iets?")


def test_a_new_abusive_mention_from_a_warned_contact_escalates(fb_account, agent, policy):
    warned(post(fb_account, "Stelletje klootzakken", platform_id="c1"), agent)

    second = post(fb_account, "Jullie zijn echt debielen", platform_id="c9")

    case = ConductCase.objects.get(mention=second)
    assert (case.status, case.reason) == (C.ESCALATED, "repeat_after_warning")
    assert Mention.objects.get(pk=second.pk).status == S.ESCALATED


def test_a_threat_escalates_at_once_without_a_warning(fb_account, policy):
    mention = post(fb_account, "Ik weet waar jullie technieker woont. Ik maak hem af.")

    mention.refresh_from_db()
    case = ConductCase.objects.get()
    assert (case.status, case.reason, case.is_threat) == (C.ESCALATED, "threat", True)
    assert (mention.status, mention.priority) == (S.ESCALATED, Priority.URGENT)
    actions = list(Event.objects.filter(mention=mention).order_by("pk").values_list("action", "reason"))
    assert (EventAction.CONDUCT_FLAGGED, "threat") in actions
    assert (EventAction.CONDUCT_ESCALATED, "threat") in actions
    assert Delivery.objects.filter(kind=DeliveryKind.HIDE).count() == 1


def test_an_agent_flagging_a_threat_escalates_it(fb_account, agent, policy):
    mention = post(fb_account, "Morgen sta ik aan jullie deur")
    claimed(mention, agent)

    mention_flag_abusive(user=agent, mention_id=mention.pk, abuse_class="threat")

    assert Mention.objects.get(pk=mention.pk).status == S.ESCALATED
    assert Event.objects.get(action=EventAction.CONDUCT_ESCALATED).actor == agent


def test_the_brand_policy_can_keep_comments_visible_on_escalation(fb_account, policy):
    policy.hide_on_escalation = False
    policy.save()

    post(fb_account, "Ik maak jullie allemaal af")

    assert not Delivery.objects.filter(kind=DeliveryKind.HIDE).exists()
    assert ConductCase.objects.get().status == C.ESCALATED


def test_abuse_after_the_repeat_period_is_flagged_again_not_escalated(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken", platform_id="c1")
    warned(mention, agent)

    with freeze_time(timezone.now() + dt.timedelta(days=15)):
        second = post(fb_account, "Jullie zijn echt debielen", platform_id="c9", posted_at=timezone.now())

    case = ConductCase.objects.get(mention=second)
    assert case.status == C.FLAGGED
    assert Mention.objects.get(pk=second.pk).after_warning  # the strike (60 days) still counts


def test_a_strike_expires_after_the_brands_period(fb_account, agent, policy):
    warned(post(fb_account, "Stelletje klootzakken", platform_id="c1"), agent)

    with freeze_time(timezone.now() + dt.timedelta(days=61)):
        later = post(fb_account, "Wanneer komt de technieker?", platform_id="c9", posted_at=timezone.now())

    later.refresh_from_db()
    assert (later.after_warning, later.status) == (False, S.NEW)


def test_a_later_mention_from_a_warned_contact_arrives_after_warning_and_goes_to_the_leads(fb_account, agent, policy):
    warned(post(fb_account, "Stelletje klootzakken", platform_id="c1"), agent)

    later = post(fb_account, "Wanneer komt de technieker nu eigenlijk?", platform_id="c9")

    later.refresh_from_db()
    assert (later.after_warning, later.status) == (True, S.ESCALATED)
    assert not ConductCase.objects.filter(mention=later).exists()  # routed, not judged
    assert Event.objects.get(action=EventAction.ESCALATED, mention=later).reason == "after_warning"


def test_the_ladder_counts_across_linked_contacts_on_other_platforms(fb_account, x_account, agent, lead, policy):
    warned(post(fb_account, "Stelletje klootzakken", platform_id="c1", author_id="fb-555"), agent)
    first_tweet = post(x_account, "Wanneer komt de technieker?", author_id="2001", kind="mention")
    assert not Mention.objects.get(pk=first_tweet.pk).after_warning  # not linked yet
    contacts_link(user=lead, contact_id=Contact.objects.get(external_id="fb-555").pk,
                  other_contact_id=Contact.objects.get(external_id="2001").pk)

    tweet = post(x_account, "Jullie zijn echt debielen", author_id="2001", kind="mention")

    assert ConductCase.objects.get(mention=tweet).status == C.ESCALATED


def test_strikes_count_across_brands(fb_account, agent, policy, team):
    other_brand_account = SocialAccountFactory(team=team, platform="facebook", external_id="2002")
    warned(post(fb_account, "Stelletje klootzakken", platform_id="c1"), agent)

    elsewhere = post(other_brand_account, "Jullie zijn echt debielen", platform_id="d1")

    assert ConductCase.objects.get(mention=elsewhere).status == C.ESCALATED


# --- Step 3: the leads' review -----------------------------------------------------------------------


@pytest.fixture
def escalated(fb_account, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken", platform_id="c1")
    warned(mention, agent)
    post(fb_account, "Hou je bek, debielen", platform_id="c2", parent_platform_id="c1")
    return ConductCase.objects.get(mention=mention)


def test_a_lead_upholds_and_the_thread_is_closed_with_the_reason(escalated, lead, abuse_category):
    conduct_uphold(user=lead, case_id=escalated.pk, category_id=abuse_category.pk)

    escalated.refresh_from_db()
    mention = escalated.mention
    mention.refresh_from_db()
    assert (escalated.status, escalated.reviewed_by) == (C.UPHELD, lead)
    assert (mention.status, mention.category) == (S.CLOSED, abuse_category)
    closed = Event.objects.get(action=EventAction.CLOSED, mention=mention)
    assert (closed.reason, closed.actor) == ("conduct_upheld", lead)
    assert Strike.objects.filter(lifted_at__isnull=True).count() == 2


def test_upholding_uses_the_policys_category_when_none_is_chosen(escalated, lead, policy, abuse_category):
    policy.close_category = abuse_category
    policy.save()

    conduct_uphold(user=lead, case_id=escalated.pk)

    assert Mention.objects.get(pk=escalated.mention_id).category == abuse_category


def test_upholding_needs_a_category(escalated, lead):
    with pytest.raises(Invalid):
        conduct_uphold(user=lead, case_id=escalated.pk)


def test_only_a_lead_reviews(escalated, agent, abuse_category):
    with pytest.raises(NotAllowed):
        conduct_uphold(user=agent, case_id=escalated.pk, category_id=abuse_category.pk)


def test_a_lead_of_another_team_does_not_see_the_case(escalated, other_team, abuse_category):
    stranger = agent_in(other_team, role="lead", username="lars")

    with pytest.raises(NotFound):
        conduct_uphold(user=stranger, case_id=escalated.pk, category_id=abuse_category.pk)


def test_lifting_unhides_clears_the_flags_lifts_the_strikes_and_gives_the_mention_back(escalated, lead):
    conduct_lift(user=lead, case_id=escalated.pk)

    escalated.refresh_from_db()
    mention = Mention.objects.get(pk=escalated.mention_id)
    assert escalated.status == C.LIFTED and escalated.reason == "lifted"
    assert (mention.status, mention.is_abusive) == (S.NEW, False)
    assert not inbound(mention).filter(is_abusive=True).exists()
    assert sorted(Delivery.objects.filter(kind=DeliveryKind.UNHIDE).values_list("target_platform_id", flat=True)) == [
        "c1", "c2"]
    assert not Strike.objects.filter(lifted_at__isnull=True).exists()
    assert Event.objects.get(action=EventAction.CONDUCT_LIFTED).data["strikes"]


def test_a_lifted_flag_is_not_raised_again_by_the_next_poll(fb_account, lead, agent, policy):
    mention = post(fb_account, "Stelletje klootzakken", platform_id="c1")
    claimed(mention, agent)
    conduct_lift(user=agent, case_id=ConductCase.objects.get().pk)  # the agent's false alarm

    post(fb_account, "Stelletje klootzakken", platform_id="c1")  # the same comment polled again

    assert ConductCase.objects.get().status == C.LIFTED
    assert not Mention.objects.get(pk=mention.pk).is_abusive


def test_an_agent_cannot_lift_an_escalated_case(escalated, agent):
    with pytest.raises(NotAllowed):
        conduct_lift(user=agent, case_id=escalated.pk)


def test_forwarding_a_threat_needs_a_security_contact(fb_account, lead, policy, abuse_category):
    post(fb_account, "Ik maak jullie allemaal af")

    with pytest.raises(Invalid) as refused:
        conduct_forward(user=lead, case_id=ConductCase.objects.get().pk, category_id=abuse_category.pk)

    assert refused.value.code == "no_security_contact"


def test_forwarding_a_threat_closes_the_thread_and_queues_the_forward_after_commit(
    fb_account, lead, policy, abuse_category, django_capture_on_commit_callbacks
):
    policy.security_email = "security@telvio.example"
    policy.save()
    post(fb_account, "Ik maak jullie allemaal af")
    case = ConductCase.objects.get()

    with django_capture_on_commit_callbacks() as callbacks:
        forward = conduct_forward(user=lead, case_id=case.pk, category_id=abuse_category.pk)

    case.refresh_from_db()
    assert case.status == C.FORWARDED and forward.state == "pending"
    assert Mention.objects.get(pk=case.mention_id).status == S.CLOSED
    assert Event.objects.get(action=EventAction.THREAT_FORWARDED).actor == lead
    assert len(callbacks) == 1
    with pytest.raises(Conflict):
        conduct_forward(user=lead, case_id=case.pk)


def test_a_lost_race_on_the_case_is_a_conflict_not_an_overwrite(escalated, lead, abuse_category):
    stale = ConductCase.objects.get(pk=escalated.pk)
    conduct_lift(user=lead, case_id=escalated.pk)

    from inbox.services.transitions import conduct_transition

    with pytest.raises(Conflict):
        conduct_transition(case=stale, to=C.UPHELD, allowed_from={C.ESCALATED}, action=EventAction.CONDUCT_UPHELD,
                           actor=lead, reason="upheld")
    assert ConductCase.objects.get(pk=escalated.pk).status == C.LIFTED


def test_ingesting_the_same_abusive_comment_twice_escalates_once(fb_account, agent, policy):
    warned(post(fb_account, "Stelletje klootzakken", platform_id="c1"), agent)
    from inbox.services.ingest import messages_ingest

    from inbox.services.screening import conduct_pending_process

    item = remote_message(platform_id="c2", text="Debielen", kind="comment", parent_platform_id="c1")
    messages_ingest(account_id=fb_account.pk, items=[item])
    conduct_pending_process()
    messages_ingest(account_id=fb_account.pk, items=[item])
    conduct_pending_process()
    conduct_pending_process()

    assert Event.objects.filter(action=EventAction.CONDUCT_ESCALATED).count() == 1
    assert Strike.objects.filter(kind=StrikeKind.ESCALATION).count() == 1
