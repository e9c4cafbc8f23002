"""What an agent does to a mention: every action is a POST that calls one service.

A refusal (a lost race, a platform rule, personal data in public) comes back as
the page with the agent's text still in the form and the reason on top, with the
service's HTTP status; never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from inbox.exceptions import DomainError, NotFound
from inbox.forms import CloseForm, MoveToPrivateForm, NoteForm, ReplyForm, TagsForm
from inbox.models import Category, Delivery, Mention, MentionStatus, Message, User
from inbox.selectors import Queue, mentions_visible_to
from inbox.services import mentions as mention_services
from inbox.services import moderation, replies
from inbox.views import render_mention

View = Callable[..., HttpResponse]


def error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    template = "inbox/_messages.html" if request.htmx else "inbox/error.html"  # type: ignore[attr-defined]
    return render(request, template, {"error": error}, status=error.http_status)


def domain_errors(view: View) -> View:
    """Turn a refusal the view did not handle itself into a page that says why (404 stays 404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return error_page(request, error)

    return wrapper


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """Navigate: a redirect, or for htmx a client-side redirect (so the whole page changes)."""
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _mention_url(mention_id: int) -> str:
    return reverse("inbox:mention", args=[mention_id])


def _after_action(request: HttpRequest, mention_id: int) -> HttpResponse:
    """Success of an in-place action: htmx gets the refreshed page part, a plain form a redirect."""
    if request.htmx:  # type: ignore[attr-defined]
        return render_mention(request, mention_id)
    return redirect(_mention_url(mention_id))


def _refused(
    request: HttpRequest, mention_id: int, error: DomainError, *, forms: dict[str, Any] | None = None, panel: str = ""
) -> HttpResponse:
    if isinstance(error, NotFound):
        return error_page(request, error)
    messages.error(request, error.message)
    return render_mention(request, mention_id, status=error.http_status, forms=forms, open_panel=panel)


def _mention_of(request: HttpRequest, rows: QuerySet) -> int | None:
    """The mention a message or delivery belongs to, if the agent may see it (to show a refusal there)."""
    visible = mentions_visible_to(user=request.user)  # type: ignore[arg-type]
    return rows.filter(mention__in=visible).values_list("mention_id", flat=True).first()


def _refused_on(request: HttpRequest, mention_id: int | None, error: DomainError) -> HttpResponse:
    if mention_id is None:
        return error_page(request, error)
    return _refused(request, mention_id, error)


def _queue_url(user: User) -> str:
    """Back to work: the agent's own queue while it has something, else the unclaimed one."""
    has_own = mentions_visible_to(user=user).filter(assignee_id=user.pk, status=MentionStatus.CLAIMED).exists()
    return reverse("inbox:queue") + f"?queue={Queue.MINE if has_own else Queue.UNCLAIMED}"


@login_required
@require_POST
@domain_errors
def claim(request: HttpRequest, mention_id: int) -> HttpResponse:
    try:
        mention_services.mention_claim(user=request.user, mention_id=mention_id)  # type: ignore[arg-type]
    except DomainError as error:
        if request.POST.get("from") == "queue" and not isinstance(error, NotFound):
            messages.error(request, error.message)  # e.g. who got there first
            return _go(request, reverse("inbox:queue"))
        return _refused(request, mention_id, error)
    return _go(request, _mention_url(mention_id))


@login_required
@require_POST
@domain_errors
def claim_next(request: HttpRequest) -> HttpResponse:
    mention_id = mention_services.mention_claim_next(user=request.user)  # type: ignore[arg-type]
    if mention_id is None:
        messages.info(request, _("Nothing left to claim: every mention in your teams has someone on it."))
        return _go(request, reverse("inbox:queue"))
    return _go(request, _mention_url(mention_id))


@login_required
@require_POST
@domain_errors
def release(request: HttpRequest, mention_id: int) -> HttpResponse:
    try:
        mention_services.mention_release(user=request.user, mention_id=mention_id)  # type: ignore[arg-type]
    except DomainError as error:
        return _refused(request, mention_id, error)
    messages.success(request, _("Released: the mention is back in the unclaimed queue."))
    return _go(request, _queue_url(request.user))  # type: ignore[arg-type]


@login_required
@require_POST
@domain_errors
def reply(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write an answer first."))
        return render_mention(request, mention_id, status=400, forms={"reply": form})
    try:
        replies.mention_reply(user=request.user, mention_id=mention_id, text=form.cleaned_data["text"])  # type: ignore[arg-type]
    except DomainError as error:
        forms: dict[str, Any] = {"reply": form}
        panel = ""
        if error.code == "personal_data":
            # Offer the way out with the text already in place.
            mention = Mention.objects.select_related("account__brand").get(pk=mention_id)
            forms["private"] = MoveToPrivateForm(
                initial={
                    "private_text": form.cleaned_data["text"],
                    "public_text": replies.private_pointer_text(mention=mention),
                }
            )
            panel = "private"
        return _refused(request, mention_id, error, forms=forms, panel=panel)
    messages.success(request, _("Answer queued. You can still take it back while the countdown runs."))
    return _after_action(request, mention_id)


@login_required
@require_POST
@domain_errors
def move_to_private(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = MoveToPrivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the private message first."))
        return render_mention(request, mention_id, status=400, forms={"private": form}, open_panel="private")
    public_text = form.cleaned_data["public_text"]
    try:
        moved = replies.mention_move_to_private(
            user=request.user,  # type: ignore[arg-type]
            mention_id=mention_id,
            private_text=form.cleaned_data["private_text"],
            public_text=public_text if public_text.strip() else None,
        )
    except DomainError as error:
        return _refused(request, mention_id, error, forms={"private": form}, panel="private")
    messages.success(
        request,
        _("Moved to private. The private message leaves when the countdown ends; the public pointer follows it."),
    )
    return _go(request, _mention_url(moved.private_mention.pk))


@login_required
@require_POST
@domain_errors
def close(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = CloseForm(request.POST, categories=list(Category.objects.filter(is_active=True)))
    category_id = form.cleaned_data.get("category") if form.is_valid() else None
    try:
        mention_services.mention_close(user=request.user, mention_id=mention_id, category_id=category_id)  # type: ignore[arg-type]
    except DomainError as error:
        return _refused(request, mention_id, error, forms={"close": form}, panel="close")
    messages.success(request, _("Closed. Press n for the next mention."))
    return _go(request, _queue_url(request.user))  # type: ignore[arg-type]


@login_required
@require_POST
@domain_errors
def reopen(request: HttpRequest, mention_id: int) -> HttpResponse:
    try:
        mention_services.mention_reopen(user=request.user, mention_id=mention_id)  # type: ignore[arg-type]
    except DomainError as error:
        return _refused(request, mention_id, error)
    messages.success(request, _("Reopened: the mention is yours again."))
    return _go(request, _mention_url(mention_id))


@login_required
@require_POST
@domain_errors
def note(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A note cannot be empty."))
        return render_mention(request, mention_id, status=400, forms={"note": form}, open_panel="note")
    try:
        mention_services.mention_add_note(user=request.user, mention_id=mention_id, text=form.cleaned_data["text"])  # type: ignore[arg-type]
    except DomainError as error:
        return _refused(request, mention_id, error, forms={"note": form}, panel="note")
    messages.success(request, _("Note added."))
    return _after_action(request, mention_id)


@login_required
@require_POST
@domain_errors
def tags(request: HttpRequest, mention_id: int) -> HttpResponse:
    form = TagsForm(request.POST)
    if not form.is_valid():
        return render_mention(request, mention_id, status=400, forms={"tags": form})
    try:
        mention_services.mention_set_tags(user=request.user, mention_id=mention_id, tag_names=form.tag_names())  # type: ignore[arg-type]
    except DomainError as error:
        return _refused(request, mention_id, error, forms={"tags": form})
    messages.success(request, _("Tags saved."))
    return _after_action(request, mention_id)


@login_required
@require_POST
@domain_errors
def hide(request: HttpRequest, message_id: int) -> HttpResponse:
    mention_id = _mention_of(request, Message.objects.filter(pk=message_id))
    try:
        moderation.message_hide(user=request.user, message_id=message_id, reason="agent")  # type: ignore[arg-type]
    except DomainError as error:
        return _refused_on(request, mention_id, error)
    messages.success(request, _("Hiding the message on the platform."))
    return _after_action(request, mention_id)


@login_required
@require_POST
@domain_errors
def undo(request: HttpRequest, delivery_id: int) -> HttpResponse:
    mention_id = _mention_of(request, Delivery.objects.filter(pk=delivery_id))
    try:
        delivery = replies.delivery_undo(user=request.user, delivery_id=delivery_id)  # type: ignore[arg-type]
    except DomainError as error:
        return _refused_on(request, mention_id, error)
    mention = Mention.objects.only("id", "public_mention_id", "status").get(pk=delivery.mention_id)
    if mention.public_mention_id is not None and mention.status == MentionStatus.CLOSED:
        # The move to private was taken back: the public mention is the agent's again.
        messages.success(request, _("Taken back. Nothing was sent; the public mention is yours again."))
        return _go(request, _mention_url(mention.public_mention_id))
    messages.success(request, _("Taken back. Nothing was sent."))
    return _after_action(request, delivery.mention_id)
