"""An agent's day in a real Chromium: log in, claim, answer, move to private, close; live updates."""

import re

import pytest
from playwright.sync_api import expect

from connectors import tasks
from inbox.models import Brand, Delivery, Direction, Mention, MentionStatus, Priority, Stream
from tests.connectors.conftest import PAGE_ID, X_HANDLE, X_ID, api_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 5_000  # the promise: a change shows within 5 seconds


def inbound_id(mention: Mention) -> str:
    return mention.messages.get(direction=Direction.INBOUND).platform_id or ""


@pytest.fixture
def work(world, x_account, fb_account, category):
    """Two customers write on the sandbox platform; the connectors poll them into the inbox."""
    jonas = world.x_user(username="jonas", name="Jonas Peeters")
    posted = world.tweet_create(author_id=jonas.id, text=f"Mijn internet ligt plat @{X_HANDLE}")
    promo = world.post_create(page_id=PAGE_ID, message="Onze zomeractie!")
    lotte = world.fb_person(name="Lotte Jacobs")
    commented = world.comment_create(target_id=promo.id, message="Waarom is mijn factuur zo hoog?", from_id=lotte.id)
    tasks.poll(x_account.pk, Stream.X_MENTIONS)
    tasks.poll(fb_account.pk, Stream.FB_COMMENTS)
    tweet = Mention.objects.get(messages__platform_id=posted.id)
    Mention.objects.filter(pk=tweet.pk).update(priority=Priority.URGENT)
    comment = Mention.objects.get(messages__platform_id=commented.id)
    return tweet, comment


def test_an_agent_logs_in_answers_moves_to_private_and_closes(open_page, agent, work, world, sandbox, worker):
    tweet, comment = work
    watched = open_page(None, "/login/")
    page = watched.page
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-row]")).to_have_count(2)

    page.get_by_role("button", name="Claim next").click()
    expect(page).to_have_url(re.compile(rf"/mentions/{tweet.pk}/$"))
    page.get_by_label("Your answer").fill("Sorry! We kijken het meteen na.")
    expect(page.locator("#reply-count")).to_have_text("35 / 280")
    page.get_by_role("button", name="Send public answer").click()
    expect(page.get_by_text("Leaves in")).to_be_visible()

    assert [result for _id, result in worker.run_due(expected=1)] == ["sent"]
    expect(page.get_by_text("Delivered")).to_be_visible(timeout=LIVE_TIMEOUT)
    ours = [t for t in world.tweets.values() if t.author_id == X_ID]
    assert [(t.text, t.replied_to) for t in ours] == [("Sorry! We kijken het meteen na. ^AV", inbound_id(tweet))]

    page.get_by_label("Done? Close as").select_option(label="Outage")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("Closed. Press n for the next mention.")).to_be_visible()

    page.get_by_role("button", name="Claim next").click()
    expect(page).to_have_url(re.compile(rf"/mentions/{comment.pk}/$"))
    page.get_by_text("Move to private").first.click()
    page.get_by_label("Private message from Telvio").fill("Mag ik je klantnummer?")
    pointer_text = page.locator("#public-text").input_value()
    page.get_by_role("button", name="Move to private and send").click()
    expect(page.get_by_text("Moved to private.")).to_be_visible()
    private = Mention.objects.get(public_mention=comment)
    expect(page).to_have_url(re.compile(rf"/mentions/{private.pk}/$"))
    expect(page.get_by_text("Leaves in")).to_be_visible()

    assert [result for _id, result in worker.run_due(expected=2)] == ["sent", "sent"]
    expect(page.get_by_text("Delivered")).to_be_visible(timeout=LIVE_TIMEOUT)
    customer = world.comments[inbound_id(comment)]
    psid = world.people[customer.from_id].psid
    messages = [m for m in world.messages.values() if m.from_id == PAGE_ID]
    assert [(m.text, m.to_id) for m in messages] == [("Mag ik je klantnummer? ^AV", psid)]
    pointers = [c for c in world.comments.values() if c.from_id == PAGE_ID]
    assert [(c.message, c.parent_id) for c in pointers] == [(f"{pointer_text} ^AV", customer.id)]
    sent = [r["seq"] for r in api_requests(sandbox, "/messages$", "POST") + api_requests(sandbox, "/comments$", "POST")]
    assert sent == sorted(sent) and len(sent) == 2, "the private message first, then the public pointer"

    page.get_by_label("Done? Close as").select_option(label="Outage")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("Closed.")).to_be_visible()
    assert Mention.objects.get(pk=private.pk).status == MentionStatus.CLOSED
    assert watched.trouble() == {}


def test_undo_takes_an_answer_back_during_the_countdown(open_page, agent, claimed):
    Brand.objects.update(undo_seconds=10)  # time enough to press undo on a busy machine
    page = open_page(agent, f"/mentions/{claimed.pk}/").page
    page.get_by_label("Your answer").fill("Verkeerde klant!")
    page.get_by_role("button", name="Send public answer").click()
    expect(page.locator("[data-countdown]")).to_be_visible()

    page.get_by_role("button", name="Undo").click()

    expect(page.get_by_text("Taken back. Nothing was sent.")).to_be_visible()
    assert Delivery.objects.get(mention=claimed).state == "cancelled"


def test_a_second_agent_sees_the_claim_appear_live(open_page, agent, other_agent, mention):
    bram = open_page(other_agent, "/").page
    expect(bram.locator(f"[data-row][data-id='{mention.pk}']")).to_have_count(1)
    ana = open_page(agent, f"/mentions/{mention.pk}/").page

    ana.get_by_role("button", name="Claim c").click()
    expect(ana.get_by_text("You are working on this mention.")).to_be_visible()

    expect(bram.locator(f"[data-row][data-id='{mention.pk}']")).to_have_count(0, timeout=LIVE_TIMEOUT)
    bram.goto(f"/mentions/{mention.pk}/")
    expect(bram.get_by_text("Ana Vermeulen is working on this mention.")).to_be_visible()


def test_two_agents_on_one_mention_see_each_other(open_page, agent, other_agent, mention):
    ana = open_page(agent, f"/mentions/{mention.pk}/").page
    bram = open_page(other_agent, f"/mentions/{mention.pk}/").page

    expect(bram.get_by_text("Ana Vermeulen has this mention open too.")).to_be_visible()
    expect(ana.get_by_text("Bram Claes has this mention open too.")).to_be_visible(timeout=LIVE_TIMEOUT)


def test_a_new_customer_message_appears_in_the_open_mention(open_page, agent, claimed):
    from inbox.services.ingest import messages_ingest
    from tests.factories import remote_message

    page = open_page(agent, f"/mentions/{claimed.pk}/").page
    messages_ingest(
        account_id=claimed.account_id,
        items=[remote_message(author_id="501", parent_platform_id="7001", text="Hallo? Nog iemand daar?")],
    )

    expect(page.get_by_text("Hallo? Nog iemand daar?")).to_be_visible(timeout=LIVE_TIMEOUT)


def test_a_public_reply_with_personal_data_is_stopped_and_offers_private(open_page, agent, claimed):
    page = open_page(agent, f"/mentions/{claimed.pk}/").page
    page.get_by_label("Your answer").fill("Bel ons op 0470 12 34 56")
    page.get_by_role("button", name="Send public answer").click()

    expect(page.get_by_text("Personal data never goes in public")).to_be_visible()
    expect(page.locator("#private-panel")).to_have_attribute("open", "")
    expect(page.locator("#private-text")).to_have_value("Bel ons op 0470 12 34 56")
    assert not Delivery.objects.exists()


def test_the_keyboard_alone_works_a_mention(open_page, agent, work, x_account):
    tweet, comment = work
    page = open_page(agent, "/").page

    expect(page.locator("[data-row].selected")).to_have_attribute("data-id", str(tweet.pk))
    page.keyboard.press("j")
    expect(page.locator("[data-row].selected")).to_have_attribute("data-id", str(comment.pk))
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/mentions/{tweet.pk}/$"))
    page.keyboard.press("u")
    expect(page).to_have_url(re.compile(r"/$"))

    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/mentions/{tweet.pk}/$"))
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("Dag! We kijken het na.")
    page.keyboard.press("Control+Enter")
    # The flash comes with the answer's own response (a live refresh can show "Leaves in" sooner).
    expect(page.get_by_text("Answer queued.")).to_be_visible()

    page.keyboard.press("e")
    expect(page.locator("#close-category")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Closed. Press n for the next mention.")).to_be_visible()
    assert Mention.objects.get(pk=tweet.pk).status == MentionStatus.CLOSED

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("c")  # claim the selected row in the list
    expect(page).to_have_url(re.compile(rf"/mentions/{comment.pk}/$"))
    page.keyboard.press("p")
    expect(page.locator("#private-text")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("j")  # no shortcut fires while nothing is typed into a field... and none while typing:
    page.keyboard.press("r")
    page.keyboard.type("jknrcpe?")
    expect(page.locator("#reply-text")).to_have_value("jknrcpe?")


def test_every_control_shows_where_the_focus_is(open_page, agent, claimed):
    page = open_page(agent, f"/mentions/{claimed.pk}/").page
    for _ in range(6):
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), page.evaluate("document.activeElement.outerHTML")
