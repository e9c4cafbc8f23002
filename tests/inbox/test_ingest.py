import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from connectors.base import CursorAdvance, RemoteAuthor
from inbox.models import Contact, Event, EventAction, Mention, MentionStatus, Message, PollCursor, Post
from inbox.services import mentions as mention_svc
from inbox.services.ingest import messages_ingest
from tests.factories import remote_message, remote_post

S = MentionStatus
pytestmark = pytest.mark.django_db


def test_the_same_platform_message_twice_gives_one_row(x_account):
    item = remote_message(platform_id="1375152598945312768")

    first = messages_ingest(account_id=x_account.pk, items=[item])
    second = messages_ingest(account_id=x_account.pk, items=[item])

    assert (first.new_messages, second.new_messages) == (1, 0)
    assert Message.objects.filter(platform_id="1375152598945312768").count() == 1
    assert Mention.objects.count() == 1


def test_the_same_message_twice_in_one_batch_gives_one_row(x_account):
    item = remote_message(platform_id="77")

    messages_ingest(account_id=x_account.pk, items=[item, item])

    assert Message.objects.count() == 1


def test_a_new_mention_is_logged_and_waits_in_the_team_queue(x_account):
    report = messages_ingest(account_id=x_account.pk, items=[remote_message(text="Internet plat in Gent")])

    mention = Mention.objects.get(pk=report.new_mention_ids[0])
    assert (mention.status, mention.team_id, mention.assignee) == (S.NEW, x_account.team_id, None)
    assert mention.waiting_since == mention.opened_at
    assert mention.due_at == mention.opened_at + dt.timedelta(minutes=x_account.brand.first_response_minutes)
    assert Event.objects.get(mention=mention).action == EventAction.INGESTED


def test_nul_characters_are_stored_safely(x_account):
    item = remote_message(text="hello\x00world", raw={"text": "hello\x00world", "nested": ["\x00"]})

    messages_ingest(account_id=x_account.pk, items=[item])

    message = Message.objects.get()
    assert message.text == "hello\ufffdworld"
    assert message.raw == {"text": "hello\ufffdworld", "nested": ["\ufffd"]}


def test_a_lone_surrogate_is_stored_safely(x_account):
    messages_ingest(account_id=x_account.pk, items=[remote_message(text="broken \ud800 emoji")])

    assert Message.objects.get().text == "broken \ufffd emoji"


def test_a_100_kb_text_is_stored_whole(x_account):
    text = "Ik ben boos. " * 8000  # 104 000 characters

    messages_ingest(account_id=x_account.pk, items=[remote_message(text=text)])

    message = Message.objects.get()
    assert message.text == text
    assert len(Mention.objects.get().preview) == 280


def test_hostile_names_and_links_are_bounded_and_cleaned(x_account):
    item = remote_message(permalink="javascript:alert(1)", author_id="9")
    item = item.__class__(**{**{f: getattr(item, f) for f in item.__slots__},
                             "author": RemoteAuthor(platform_id="9", handle="x" * 500, name="<script>" * 100)})

    messages_ingest(account_id=x_account.pk, items=[item])

    contact = Contact.objects.get(external_id="9")
    assert len(contact.handle) == 100 and len(contact.name) == 200
    assert Message.objects.get().permalink == ""


def test_the_accounts_own_posts_never_become_work(x_account):
    own = remote_message(author_id=x_account.external_id)

    report = messages_ingest(account_id=x_account.pk, items=[own])

    assert report.ignored == 1
    assert not Mention.objects.exists()


def test_a_follow_up_from_the_same_customer_joins_the_mention(x_account):
    first = remote_message(platform_id="100", author_id="555")
    messages_ingest(account_id=x_account.pk, items=[first])

    follow_up = remote_message(platform_id="101", author_id="555", parent_platform_id="100", text="Nog steeds niks")
    report = messages_ingest(account_id=x_account.pk, items=[follow_up])

    assert report.new_mention_ids == [] and len(report.joined_mention_ids) == 1
    mention = Mention.objects.get()
    assert mention.messages.count() == 2
    assert mention.preview == "Nog steeds niks"


def test_another_customer_in_the_thread_gets_their_own_mention(x_account):
    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="100", author_id="555")])

    report = messages_ingest(
        account_id=x_account.pk,
        items=[remote_message(platform_id="102", author_id="666", parent_platform_id="100", text="Ik ook!")],
    )

    assert len(report.new_mention_ids) == 1
    assert Mention.objects.count() == 2


def test_a_root_and_its_follow_up_in_one_batch_form_one_mention(x_account):
    now = timezone.now()
    items = [
        remote_message(platform_id="201", author_id="5", parent_platform_id="200", posted_at=now),
        remote_message(platform_id="200", author_id="5", posted_at=now - dt.timedelta(minutes=1)),
    ]

    messages_ingest(account_id=x_account.pk, items=items)

    assert Mention.objects.count() == 1
    assert Mention.objects.get().messages.count() == 2


def test_a_customer_writing_again_reopens_a_waiting_mention_for_its_agent(x_account, agent):
    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="300", author_id="5")])
    mention = Mention.objects.get()
    mention_svc.mention_claim(user=agent, mention_id=mention.pk)
    Mention.objects.filter(pk=mention.pk).update(status=S.WAITING, waiting_since=None)

    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="301", author_id="5", parent_platform_id="300")])

    mention.refresh_from_db()
    assert (mention.status, mention.assignee) == (S.CLAIMED, agent)
    assert mention.waiting_since is not None
    event = Event.objects.filter(mention=mention).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("customer_replied", "waiting", "claimed")


def test_a_customer_writing_again_reopens_a_closed_mention_into_the_queue(x_account, lead, category):
    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="400", author_id="5")])
    mention = Mention.objects.get()
    mention_svc.mention_close(user=lead, mention_id=mention.pk, category_id=category.pk)

    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="401", author_id="5", parent_platform_id="400")])

    mention.refresh_from_db()
    assert (mention.status, mention.assignee, mention.closed_at) == (S.NEW, None, None)


def test_a_private_message_joins_its_conversation(fb_account):
    first = remote_message(platform_id="m_1", kind="private", thread_id="t_9", author_id="psid1")
    messages_ingest(account_id=fb_account.pk, items=[first])

    messages_ingest(
        account_id=fb_account.pk,
        items=[remote_message(platform_id="m_2", kind="private", thread_id="t_9", author_id="psid1")],
    )

    mention = Mention.objects.get()
    assert (mention.visibility, mention.platform_thread_id, mention.messages.count()) == ("private", "t_9", 2)


def test_a_private_message_from_someone_we_wrote_to_joins_that_thread(fb_account, agent):
    from inbox.models import Visibility

    private = Mention.objects.create(
        account=fb_account, team=fb_account.team, kind="private", visibility=Visibility.PRIVATE, status=S.WAITING,
        assignee=agent, platform_thread_id="user:psid7", opened_at=timezone.now(),
    )

    messages_ingest(
        account_id=fb_account.pk,
        items=[remote_message(platform_id="m_5", kind="private", thread_id="t_55", author_id="psid7")],
    )

    private.refresh_from_db()
    assert private.messages.count() == 1
    assert private.status == S.CLAIMED


def test_comments_keep_the_post_they_were_written_under(fb_account):
    item = remote_message(kind="comment", context_post=remote_post("1001_55", "Zomerpromo!"))

    messages_ingest(account_id=fb_account.pk, items=[item])

    assert Mention.objects.get().context_post == Post.objects.get(platform_id="1001_55")


def test_a_newer_edit_replaces_the_text_and_an_older_one_does_not(x_account):
    now = timezone.now()
    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="500", text="v1", posted_at=now)])
    edit = remote_message(platform_id="500", text="v2", posted_at=now, edited=True, updated_at=now + dt.timedelta(minutes=2))
    stale = remote_message(platform_id="500", text="v1.5", posted_at=now, edited=True, updated_at=now + dt.timedelta(minutes=1))

    messages_ingest(account_id=x_account.pk, items=[edit])
    messages_ingest(account_id=x_account.pk, items=[stale])

    message = Message.objects.get()
    assert (message.text, message.edited) == ("v2", True)
    assert Event.objects.filter(action=EventAction.EDITED_ON_PLATFORM).count() == 1


def test_a_delete_is_final_even_when_an_older_state_arrives_later(x_account):
    now = timezone.now()
    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="600", posted_at=now)])
    messages_ingest(
        account_id=x_account.pk,
        items=[remote_message(platform_id="600", posted_at=now, deleted=True, updated_at=now + dt.timedelta(minutes=5))],
    )

    messages_ingest(account_id=x_account.pk, items=[remote_message(platform_id="600", posted_at=now)])

    assert Message.objects.get().deleted_on_platform is True


def test_an_item_already_deleted_when_first_seen_is_not_work(x_account):
    report = messages_ingest(account_id=x_account.pk, items=[remote_message(deleted=True)])

    assert report.ignored == 1 and not Mention.objects.exists()


def test_contacts_are_kept_up_to_date(x_account):
    messages_ingest(account_id=x_account.pk, items=[remote_message(author_id="5")])
    later = remote_message(author_id="5")
    later = later.__class__(**{**{f: getattr(later, f) for f in later.__slots__},
                               "author": RemoteAuthor(platform_id="5", handle="renamed", name="R", follower_count=99)})

    messages_ingest(account_id=x_account.pk, items=[later])

    contact = Contact.objects.get(external_id="5")
    assert (contact.handle, contact.follower_count) == ("renamed", 99)


def test_the_cursor_moves_with_the_items(x_account):
    messages_ingest(
        account_id=x_account.pk, items=[remote_message()], advance=CursorAdvance(stream="x_mentions", cursor="1399")
    )

    assert PollCursor.objects.get(account=x_account, stream="x_mentions").cursor == "1399"


def test_the_cursor_does_not_move_when_storing_fails(x_account, monkeypatch):
    from inbox.services import ingest

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.Event.objects, "bulk_create", explode)

    with pytest.raises(RuntimeError):
        messages_ingest(
            account_id=x_account.pk, items=[remote_message()], advance=CursorAdvance(stream="x_mentions", cursor="9")
        )

    assert not PollCursor.objects.filter(cursor="9").exists()
    assert not Message.objects.exists()


def test_language_comes_from_the_text_when_the_platform_gives_none(fb_account):
    messages_ingest(account_id=fb_account.pk, items=[remote_message(text="Pourquoi ma connexion ne marche pas depuis hier ?")])

    assert Mention.objects.get().language == "fr"


def test_personal_data_in_a_public_post_flags_the_mention(x_account):
    messages_ingest(account_id=x_account.pk, items=[remote_message(text="Bel me op 0470 12 34 56 aub")])

    assert Mention.objects.get().has_personal_data is True


@pytest.mark.postgres
def test_the_event_log_refuses_updates_at_the_database_level(x_account):
    from django.db import transaction

    messages_ingest(account_id=x_account.pk, items=[remote_message()])

    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inbox_event SET reason = 'rewritten'")


def test_the_event_log_refuses_updates_in_the_app(x_account):
    messages_ingest(account_id=x_account.pk, items=[remote_message()])
    event = Event.objects.get()

    with pytest.raises(TypeError):
        Event.objects.update(reason="x")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_hostile_ids_are_stored_cleaned_and_found_again(x_account):
    long_id = "9" * 80
    item = remote_message(platform_id="77\x0078", author_id="a\x00b" + "c" * 100)
    reply = remote_message(platform_id=long_id, author_id="a\x00b" + "c" * 100, parent_platform_id="77\x0078")

    messages_ingest(account_id=x_account.pk, items=[item])
    messages_ingest(account_id=x_account.pk, items=[reply])
    messages_ingest(account_id=x_account.pk, items=[item, reply])

    assert Message.objects.count() == 2
    assert Mention.objects.count() == 1
    assert Contact.objects.count() == 1


def test_an_item_without_an_author_is_stored_without_a_contact(x_account):
    item = remote_message()
    item = item.__class__(**{**{f: getattr(item, f) for f in item.__slots__}, "author": RemoteAuthor(platform_id="")})

    messages_ingest(account_id=x_account.pk, items=[item])

    assert Mention.objects.get().contact is None
