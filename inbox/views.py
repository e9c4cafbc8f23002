"""The agent's pages: the queues and the mention page, each a full page or, to htmx, a fragment.

The live endpoints answer 204 when what the agent sees is unchanged, so thirty
agents polling every few seconds cost index reads, not renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from inbox import live
from inbox.conduct import selectors as conduct_selectors
from inbox.conduct.forms import FlagForm
from inbox.exceptions import Invalid
from inbox.forms import CloseForm, MoveToPrivateForm, NoteForm, QueueFilterForm, ReplyForm, TagsForm
from inbox.language import SUPPORTED
from inbox.models import Mention, MentionStatus, Platform, SocialAccount, User, Visibility
from inbox.policies import text_limit
from inbox.selectors import (
    COUNT_CAP,
    QUEUE_PAGE_SIZE,
    Queue,
    mention_detail_for_agent,
    mention_live_version_for_agent,
    mention_queue_fingerprint_for_agent,
    mention_queue_for_agent,
    queue_counts_for_agent,
    team_ids_for_user,
)
from inbox.services.replies import private_pointer_text, signature_for
from inbox.templatetags.inbox_tags import has_hidden_characters


def _queue_name(request: HttpRequest) -> str:
    queue = request.GET.get("queue", Queue.UNCLAIMED)
    return queue if queue in Queue.ALL else Queue.UNCLAIMED


def _filter_form(request: HttpRequest, *, for_display: bool = True) -> QueueFilterForm:
    """The filters; the brand and account choices are read only when shown or asked for."""
    user: User = request.user  # type: ignore[assignment]
    if not for_display and not (request.GET.get("brand") or request.GET.get("account")):
        return QueueFilterForm(request.GET, brands=[], accounts=[])
    if user.is_superuser:
        accounts = list(SocialAccount.objects.select_related("brand"))
    else:
        accounts = list(SocialAccount.objects.filter(team_id__in=team_ids_for_user(user=user)).select_related("brand"))
    brands = sorted({account.brand for account in accounts}, key=lambda brand: brand.name)
    return QueueFilterForm(request.GET, brands=brands, accounts=accounts)


def _queue_fingerprint(rows: list[tuple[int, Any]], counts: dict[str, int]) -> str:
    return live.fingerprint([rows, sorted(counts.items())])


def _queue_context(request: HttpRequest) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    queue = _queue_name(request)
    form = _filter_form(request, for_display=not request.htmx)  # type: ignore[attr-defined]
    filters = form.filters()
    cursor = request.GET.get("cursor") or None
    try:
        page = mention_queue_for_agent(user=user, queue=queue, filters=filters, cursor=cursor)
    except Invalid as error:
        messages.warning(request, error.message)
        cursor = None
        page = mention_queue_for_agent(user=user, queue=queue, filters=filters)
    _prepare_rows(page.mentions)
    counts = queue_counts_for_agent(user=user)
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("v", None)
    return {
        "queue": queue,
        "queues": _queue_tabs(counts),
        "filter_form": form,
        "filters_active": filters.active,
        "page": page,
        "cursor": cursor,
        "query": query.urlencode(),
        "filter_query": _without(query, "queue"),
        "fingerprint": _queue_fingerprint([(m.pk, m.updated_at) for m in page.mentions], counts),
        "poll_seconds": live.POLL_SECONDS,
        "labels": _row_labels(),
    }


def _prepare_rows(mentions: list[Mention]) -> None:
    """What each row shows, computed in Python: rows are most of what a queue page costs,
    and the template engine spends far more per row on lookups than this does."""
    mention_url = reverse("inbox:mention", args=[0]).replace("/0/", "/{}/")
    claim_url = reverse("inbox:claim", args=[0]).replace("/0/", "/{}/")
    unknown = _("Unknown author")
    platforms = dict(Platform.choices)
    for mention in mentions:
        mention.url = mention_url.format(mention.pk)  # type: ignore[attr-defined]
        mention.claim_url = claim_url.format(mention.pk)  # type: ignore[attr-defined]
        contact = mention.contact
        mention.who = str(contact) if contact is not None else unknown  # type: ignore[attr-defined]
        mention.who_hidden_characters = contact is not None and (  # type: ignore[attr-defined]
            has_hidden_characters(contact.name) or has_hidden_characters(contact.handle)
        )
        mention.platform_label = platforms.get(mention.account.platform, mention.account.platform)  # type: ignore[attr-defined]
        if mention.status == MentionStatus.CLOSED and mention.closed_at:
            mention.age_text = _("closed %(when)s ago") % {"when": timesince(mention.closed_at)}  # type: ignore[attr-defined]
        elif mention.waiting_since:
            mention.age_text = _("waiting %(when)s") % {"when": timesince(mention.waiting_since)}  # type: ignore[attr-defined]
        else:
            mention.age_text = ""  # type: ignore[attr-defined]
        if mention.assignee is not None:
            mention.assignee_text = _("with %(name)s") % {"name": mention.assignee}  # type: ignore[attr-defined]


def _row_labels() -> dict[str, str]:
    return {
        "claim": _("Claim"),
        "hidden": _("hidden characters"),
        "private": _("Private"),
        "personal": _("Personal data"),
        "abuse": _("Abuse"),
        "after_warning": _("After warning"),
    }


def _without(query: Any, name: str) -> str:
    copy = query.copy()
    copy.pop(name, None)
    return copy.urlencode()


def _queue_tabs(counts: dict[str, int]) -> list[dict[str, Any]]:
    # A tab names a list of mentions, where a status names one: in French and Danish the
    # words differ (plural agreement), hence the context.
    labels = {
        Queue.UNCLAIMED: pgettext("queue tab", "Unclaimed"),
        Queue.MINE: pgettext("queue tab", "Mine"),
        Queue.TEAM: pgettext("queue tab", "My teams"),
        Queue.WAITING: pgettext("queue tab", "Waiting on customer"),
        Queue.ESCALATED: pgettext("queue tab", "Escalated"),
        Queue.CLOSED: pgettext("queue tab", "Closed"),
    }
    tabs = []
    for name in Queue.ALL:
        count = counts.get(name)
        shown = None if count is None else (f"{COUNT_CAP}+" if count > COUNT_CAP else str(count))
        tabs.append({"name": name, "label": labels[name], "count": shown})
    return tabs


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "inbox/_queue_region.html", context)
    return render(request, "inbox/queue.html", context)


@login_required
@require_GET
def queue_live(request: HttpRequest) -> HttpResponse:
    """204 while the page the agent sees is unchanged; the fresh list once it is not."""
    user: User = request.user  # type: ignore[assignment]
    queue = _queue_name(request)
    filters = _filter_form(request, for_display=False).filters()
    try:
        rows = mention_queue_fingerprint_for_agent(
            user=user, queue=queue, filters=filters, cursor=request.GET.get("cursor") or None, limit=QUEUE_PAGE_SIZE
        )
    except Invalid:
        rows = []
    if _queue_fingerprint(rows, queue_counts_for_agent(user=user)) == request.GET.get("v"):
        return HttpResponse(status=204)
    return render(request, "inbox/_queue_region.html", _queue_context(request))


# --- The mention page --------------------------------------------------------------


def composer_context(detail: Any, user: User) -> dict[str, Any]:
    """What the composer shows in plain sight: from which account, the limit, the signature, the language."""
    mention = detail.mention
    account = mention.account
    limit = text_limit(account.platform, mention.visibility)
    private_limit = text_limit(account.platform, Visibility.PRIVATE)
    public_limit = text_limit(account.platform, Visibility.PUBLIC)
    return {
        "account": account,
        "brand": account.brand,
        "is_public": mention.visibility == Visibility.PUBLIC,
        "limit": limit,
        "private_limit": private_limit,
        "public_limit": public_limit,
        "signature": signature_for(user=user, mention=mention),
        "language": mention.language,
        "language_known": mention.language in SUPPORTED,
        "mine": mention.assignee_id == user.pk and mention.status in ("claimed", "waiting"),
    }


def _mention_context(user: User, detail: Any, viewers: list[live.Viewer]) -> dict[str, Any]:
    return {
        "conduct": conduct_selectors.conduct_panel_for_agent(user=user, mention=detail.mention),
        "personal_data": conduct_selectors.personal_data_panel_for_agent(user=user, mention=detail.mention),
        "abuse_classes": FlagForm().fields["abuse_class"].choices,
        "detail": detail,
        "mention": detail.mention,
        "viewers": viewers,
        "composer": composer_context(detail, user),
        "close_form": CloseForm(categories=detail.categories),
        "fingerprint": _mention_fingerprint(max((event.pk for event in detail.events), default=0), viewers),
        "poll_seconds": live.POLL_SECONDS,
    }


def _mention_fingerprint(version: int, viewers: list[live.Viewer]) -> str:
    return live.fingerprint([version, [viewer.user_id for viewer in viewers]])


def render_mention(
    request: HttpRequest,
    mention_id: int,
    *,
    status: int = 200,
    forms: dict[str, Any] | None = None,
    open_panel: str = "",
) -> HttpResponse:
    """The mention page (or, to htmx, its main fragment), with forms carrying what the agent typed."""
    user: User = request.user  # type: ignore[assignment]
    detail = mention_detail_for_agent(user=user, mention_id=mention_id)
    context = _mention_context(user, detail, live.presence_touch(mention_id=mention_id, user=user))
    forms = forms or {}
    mention = detail.mention
    pointer = private_pointer_text(mention=mention) if mention.visibility == Visibility.PUBLIC else ""
    context.update(
        reply_form=forms.get("reply") or ReplyForm(),
        private_form=forms.get("private") or MoveToPrivateForm(initial={"public_text": pointer}),
        note_form=forms.get("note") or NoteForm(),
        tags_form=forms.get("tags") or TagsForm(initial={"tags": ", ".join(detail.tags)}),
        open_panel=open_panel,
    )
    if "close" in forms:
        context["close_form"] = forms["close"]
    template = "inbox/_mention_main.html" if request.htmx else "inbox/mention.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@login_required
@require_GET
def mention_page(request: HttpRequest, mention_id: int) -> HttpResponse:
    return render_mention(request, mention_id)


@login_required
@require_GET
def mention_live(request: HttpRequest, mention_id: int) -> HttpResponse:
    """204 while nothing changed and nobody came or went; else the parts that others can change."""
    user: User = request.user  # type: ignore[assignment]
    version = mention_live_version_for_agent(user=user, mention_id=mention_id)
    viewers = live.presence_touch(mention_id=mention_id, user=user)
    if _mention_fingerprint(version, viewers) == request.GET.get("v"):
        return HttpResponse(status=204)
    detail = mention_detail_for_agent(user=user, mention_id=mention_id)
    return render(request, "inbox/_mention_live.html", _mention_context(user, detail, viewers))
