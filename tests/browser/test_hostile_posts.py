"""Customers' text is attacker-controlled: it renders literally, executes nothing, breaks no CSP rule."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connectors.base import RemoteAuthor, RemoteMessage
from inbox.models import Mention
from inbox.services.ingest import messages_ingest
from tests.factories import remote_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANARY = "window.__xss=1"
CORPUS = [
    f"<script>{CANARY}</script>",
    f'<img src=x onerror="{CANARY}">',
    f'<svg onload="{CANARY}"><circle r="5"/></svg>',
    f'<a href="javascript:{CANARY}">klik hier</a>',
    f'<a href="data:text/html,<script>{CANARY}</script>">data</a>',
    f"<math><mtext><table><mglyph><style><img src=x onerror={CANARY}>",
    f"<xmp><script>{CANARY}</script></xmp>",
    f'<noscript><p title="</noscript><img src=x onerror={CANARY}>">',
    f'"><body onload="{CANARY}">',
    f"<div style=\"background:url('javascript:{CANARY}')\">css</div>",
    "{{ request.user.password }} {% debug %}",
    f'<iframe srcdoc="<script>{CANARY}</script>"></iframe>',
    "Bidi: \u202eevil.exe\u202c and \u2066isolated\u2069 and \u200fRLM",
    "Zero\u200bwidth\u200djoiner\ufeffBOM",
    "=HYPERLINK(\"http://evil.example\",\"klik\")",
]
HUGE = ("Lange klacht zonder einde. " * 4000)[:100_000]


@pytest.fixture
def hostile(x_account):
    items = [
        RemoteMessage(
            platform_id=str(70_000 + i),
            kind="mention",
            posted_at=timezone.now() - dt.timedelta(minutes=5),
            text=text,
            author=RemoteAuthor(
                platform_id=str(7000 + i), handle=f"h{i}<script>{CANARY}</script>", name=f"\u202e<img src=x onerror={CANARY}>"
            ),
            context_post=remote_post(f"post-{i}", f"<svg onload={CANARY}>") if i % 3 == 0 else None,
            permalink=f"javascript:{CANARY}",
        )
        for i, text in enumerate([*CORPUS, HUGE])
    ]
    messages_ingest(account_id=x_account.pk, items=items)
    return list(Mention.objects.order_by("id"))


def _no_execution(watched):
    assert watched.page.evaluate("window.__xss") is None
    assert watched.trouble() == {}


def test_the_queue_shows_hostile_posts_literally(open_page, agent, hostile):
    watched = open_page(agent, "/")
    page = watched.page

    expect(page.locator("[data-row]")).to_have_count(len(hostile))
    expect(page.get_by_text(f"<script>{CANARY}</script>", exact=True).first).to_be_visible()
    expect(page.get_by_text("{{ request.user.password }} {% debug %}")).to_be_visible()
    assert page.locator("script:not([src])").count() == 0
    assert page.locator(".mention-list img, .mention-list svg, .mention-list iframe, .mention-list a[href^='javascript']").count() == 0
    _no_execution(watched)


@pytest.mark.parametrize("index", range(len(CORPUS) + 1))
def test_each_hostile_post_renders_literally_on_its_page(open_page, agent, hostile, index):
    mention = hostile[index]
    watched = open_page(agent, f"/mentions/{mention.pk}/")
    page = watched.page

    thread = page.locator("#mention-thread")
    expect(thread).to_be_visible()
    if index < len(CORPUS):
        assert CORPUS[index] in thread.inner_text()
    else:
        expect(page.get_by_text("Show the whole message (100000 characters)")).to_be_visible()
    assert thread.locator("img, svg, iframe, math, script, a[href^='javascript'], a[href^='data']").count() == 0
    assert page.locator("#main [style]").count() == 0
    _no_execution(watched)


def test_bidi_overrides_are_isolated_and_flagged(open_page, agent, hostile):
    mention = hostile[CORPUS.index("Bidi: \u202eevil.exe\u202c and \u2066isolated\u2069 and \u200fRLM")]
    watched = open_page(agent, f"/mentions/{mention.pk}/")
    page = watched.page

    text = page.locator("#mention-thread .message-item .ctext").first
    assert text.get_attribute("dir") == "auto"
    assert page.evaluate("getComputedStyle(document.querySelector('#mention-thread .ctext')).unicodeBidi") == "isolate"
    expect(page.locator("#mention-thread").get_by_text("contains hidden characters")).to_be_visible()
    expect(page.locator("#contact-card").get_by_text("hidden characters in the name")).to_be_visible()
    _no_execution(watched)


def test_the_csp_forbids_inline_script_on_every_page(client, agent, hostile):
    client.force_login(agent)
    for path in ["/", f"/mentions/{hostile[0].pk}/", "/preferences/", "/login/"]:
        policy = client.get(path)["Content-Security-Policy"]
        script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
