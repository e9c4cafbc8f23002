"""The sandbox platform: the platforms' JSON shapes, its control API, scenarios, faults and public pages."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import requests

from connectors.sandbox import SandboxServer, World
from connectors.sandbox.scenarios import NORMAL_EVENTS, ScenarioEngine
from tests.connectors.conftest import FB_CREDENTIALS, PAGE_ID, X_CREDENTIALS, X_HANDLE, X_ID

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import facebook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
X_AUTH = {"Authorization": f"Bearer {X_CREDENTIALS['bearer_token']}"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def graph(sandbox: SandboxServer, path: str, **params: str) -> requests.Response:
    import hashlib
    import hmac

    token = FB_CREDENTIALS["page_access_token"]
    proof = hmac.new(FB_CREDENTIALS["app_secret"].encode(), token.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{sandbox.url}/v25.0/{path}", params={"access_token": token, "appsecret_proof": proof,
                                                                 **params}, timeout=5)


# --- the platforms' shapes ------------------------------------------------------------------------


def test_mentions_have_the_recorded_shape(world, sandbox):
    recorded = fixture("twitter/mentions_timeline.expansions_author_id.json")
    author = world.x_user(username="lestache")
    world.tweet_create(author_id=author.id, text=f"@{X_HANDLE} love", lang="en")

    response = requests.get(f"{sandbox.url}/2/users/{X_ID}/mentions", headers=X_AUTH,
                            params=recorded["request"]["query"], timeout=5)

    body, expected = response.json(), recorded["response"]["body"]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert set(body) == set(expected)
    assert set(body["data"][0]) == set(expected["data"][0])
    assert {"id", "name", "username"} <= set(body["includes"]["users"][0])
    assert {"newest_id", "oldest_id", "result_count"} <= set(body["meta"])
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(response.headers.keys()) | {
        k.lower() for k in response.headers}


def test_an_empty_timeline_has_meta_only(sandbox):
    response = requests.get(f"{sandbox.url}/2/users/{X_ID}/mentions", headers=X_AUTH, timeout=5)

    assert response.json() == {"meta": {"result_count": 0}}


def test_dm_events_and_writes_have_the_recorded_shapes(world, sandbox):
    author = world.x_user(username="dm")
    world.dm_send(sender_id=author.id, recipient_id=X_ID, text="Hi")
    recorded = fixture("twitter/dm_events.with_fields.json")
    auth = {"Authorization": f'OAuth oauth_token="{X_CREDENTIALS["access_token"]}"'}

    events = requests.get(f"{sandbox.url}/2/dm_events", headers=auth, params=recorded["request"]["query"], timeout=5)
    created = requests.post(f"{sandbox.url}/2/dm_conversations/with/{author.id}/messages", headers=auth,
                            json={"text": "Hello"}, timeout=5)

    assert set(events.json()["data"][0]) == set(recorded["response"]["body"]["data"][0])
    assert created.status_code == 201
    assert set(created.json()["data"]) == set(fixture("twitter/dm_create_with_participant.json")["response"]["body"][
        "data"])


@pytest.mark.parametrize(("name", "path"), [
    ("facebook/conversation.json", "conversation"),
    ("facebook/message.json", "message"),
    ("facebook/post_comments.p1.json", "comments"),
])
def test_graph_objects_have_the_recorded_fields(world, sandbox, name, path):
    recorded = fixture(name)
    fields = recorded["request"]["query"]["fields"]
    who = world.fb_person(name="Kun Liu")
    message = world.customer_message(page_id=PAGE_ID, psid=who.psid, text="hello")
    post = world.post_create(page_id=PAGE_ID, message="Post")
    world.comment_create(target_id=post.id, message="Nice", from_id=who.id)
    target = {"conversation": message.conversation_id, "message": message.id, "comments": f"{post.id}/comments"}[path]

    body = graph(sandbox, target, fields=fields).json()

    item = body["data"][0] if "data" in body else body
    expected = recorded["response"]["body"]
    expected_item = expected["data"][0] if "data" in expected else expected
    assert set(expected_item) - {"tags", "attachments"} <= set(item)


def test_graph_paging_repeats_the_access_token_so_facebook_sdk_can_follow_it(world, sandbox):
    for number in range(7):
        world.post_create(page_id=PAGE_ID, message=f"post {number}")
    import hashlib
    import hmac

    client = facebook.GraphAPI(FB_CREDENTIALS["page_access_token"])
    client.version = "v25.0"
    proof = hmac.new(FB_CREDENTIALS["app_secret"].encode(), FB_CREDENTIALS["page_access_token"].encode(),
                     hashlib.sha256).hexdigest()
    original = facebook.FACEBOOK_GRAPH_URL
    facebook.FACEBOOK_GRAPH_URL = sandbox.url + "/"
    try:
        posts = list(client.get_all_connections(PAGE_ID, "feed", limit=3, appsecret_proof=proof))
    finally:
        facebook.FACEBOOK_GRAPH_URL = original

    assert len(posts) == 7
    assert "access_token=" in graph(sandbox, f"{PAGE_ID}/feed", limit="3").json()["paging"]["next"]


def test_a_missing_credential_is_refused_as_the_platforms_do(sandbox):
    x = requests.get(f"{sandbox.url}/2/users/me", timeout=5)
    fb = requests.get(f"{sandbox.url}/v25.0/me", timeout=5)

    assert x.status_code == 401 and x.json()["title"] == "Unauthorized"
    assert fb.json()["error"]["code"] == 190


def test_going_over_a_limit_gives_a_429_with_the_reset_time(sandbox):
    sandbox.x.limiter.limits["users_me"] = 1

    statuses = [requests.get(f"{sandbox.url}/2/users/me", headers=X_AUTH, timeout=5) for _ in range(2)]

    assert [r.status_code for r in statuses] == [200, 429]
    assert int(statuses[1].headers["x-rate-limit-reset"]) > 0 and statuses[1].headers["x-rate-limit-remaining"] == "0"


# --- control API and faults ----------------------------------------------------------------------------


def control(sandbox: SandboxServer, method: str, path: str, body: dict | None = None) -> dict:
    response = requests.request(method, f"{sandbox.url}/_sandbox/{path}", json=body, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_items_are_injected_and_requests_read_back_through_the_control_api(sandbox):
    tweet = control(sandbox, "POST", "x/tweets", {"author": {"username": "jan"}, "text": f"@{X_HANDLE} hallo"})
    post = control(sandbox, "POST", "facebook/posts", {"page_id": PAGE_ID, "message": "Deal"})
    comment = control(sandbox, "POST", "facebook/comments", {"post_id": post["id"], "message": "Top"})
    control(sandbox, "POST", "facebook/messages", {"page_id": PAGE_ID, "from": {"name": "Lise"}, "text": "Hej"})
    requests.get(f"{sandbox.url}/2/users/{X_ID}/mentions", headers=X_AUTH, timeout=5)

    log = control(sandbox, "GET", "requests?path=/mentions")["data"]
    state = control(sandbox, "GET", "state")

    assert tweet["mentions"] == [X_HANDLE] and comment["post_id"] == post["id"]
    assert (state["tweets"], state["comments"], state["messages"]) == (1, 1, 1)
    assert [entry["path"] for entry in log] == [f"/2/users/{X_ID}/mentions"] and log[0]["account"] == X_ID


def test_queued_faults_fire_as_often_as_asked_after_the_ones_they_skip(sandbox):
    control(sandbox, "POST", "faults", {"kind": "status", "status": 503, "path": "/users/me", "skip": 1, "times": 2})

    statuses = [requests.get(f"{sandbox.url}/2/users/me", headers=X_AUTH, timeout=5).status_code for _ in range(4)]

    assert statuses == [200, 503, 503, 200]
    assert control(sandbox, "GET", "faults")["data"] == []


def test_a_revoked_token_is_refused_until_restored(sandbox):
    control(sandbox, "POST", "tokens/revoke", {"account": PAGE_ID})
    refused = graph(sandbox, "me").json()["error"]
    control(sandbox, "POST", "tokens/restore", {"account": PAGE_ID})

    assert (refused["code"], refused["error_subcode"]) == (190, 460)
    assert graph(sandbox, "me").json()["id"] == PAGE_ID


def test_a_dropped_connection_answers_nothing_and_changes_nothing(world, sandbox):
    sandbox.faults.add({"kind": "drop", "seconds": 0.1, "path": "/2/tweets$"})
    target = world.tweet_create(author_id=world.x_user(username="a").id, text=f"@{X_HANDLE} hoi")
    auth = {"Authorization": f'OAuth oauth_token="{X_CREDENTIALS["access_token"]}"'}

    with pytest.raises(requests.ConnectionError):
        requests.post(f"{sandbox.url}/2/tweets", headers=auth, timeout=5,
                      json={"text": "x", "reply": {"in_reply_to_tweet_id": target.id}})

    assert [t.author_id for t in world.tweets.values()] == [target.author_id]


# --- scenarios ------------------------------------------------------------------------------------------


def _world_with_accounts(seed: int) -> tuple[World, ScenarioEngine]:
    world = World(seed)
    world.add_x_account(user_id=X_ID, username=X_HANDLE)
    world.add_fb_page(page_id=PAGE_ID, name="Telvio")
    engine = ScenarioEngine(world)
    engine.register_x(X_ID, keywords=["telvio"], languages=["nl", "fr", "en"])
    engine.register_page(PAGE_ID, languages=["nl", "fr", "en", "da"])
    engine.ensure_marketing_posts()
    return world, engine


def _texts(world: World) -> list[str]:
    return ([t.text for t in world.tweets.values()] + [c.message for c in world.comments.values()]
            + [m.text for m in world.messages.values()] + [e.text for e in world.dm_events])


def test_the_same_seed_gives_the_same_world():
    first, engine = _world_with_accounts(5)
    second, other = _world_with_accounts(5)
    for _ in range(60):
        engine.step()
        other.step()

    assert _texts(first) == _texts(second) and sorted(first.tweets) == sorted(second.tweets)
    assert _texts(first) != _texts(_run(_world_with_accounts(6), 60))


def _run(pair: tuple[World, ScenarioEngine], steps: int) -> World:
    world, engine = pair
    for _ in range(steps):
        engine.step()
    return world


def test_a_normal_day_brings_every_kind_of_message_in_every_language():
    world, engine = _world_with_accounts(3)
    seen = {engine.step() for _ in range(400)}

    assert seen >= set(NORMAL_EVENTS) - {"x_follow_up", "fb_follow_up"}
    texts = " ".join(_texts(world)).lower()
    assert all(word in texts for word in ("internet", "facture", "tak", "idiot"))
    assert any("@example.com" in text or "+32" in text for text in _texts(world))  # personal data in public


def test_a_storm_puts_hundreds_of_comments_under_one_post_published_after_hours(sandbox):
    sandbox.scenarios.register_page(PAGE_ID, languages=["nl", "fr"])

    state = sandbox.scenarios.start({"name": "storm", "count": 300, "minutes": 0})

    post = sandbox.world.posts[state["post_id"]]
    assert sandbox.world.comment_count(post.id, stream=True) == 300
    assert post.created_time.astimezone().strftime("%H:%M") == "16:54"


def test_customers_answer_the_brands_replies(world, sandbox):
    sandbox.scenarios.register_x(X_ID, keywords=[], languages=["nl"])
    customer = world.x_user(username="jens")
    question = world.tweet_create(author_id=customer.id, text=f"@{X_HANDLE} hallo?")
    world.tweet_create(author_id=X_ID, text="Hoi Jens", reply_to=question.id)

    assert sandbox.scenarios.step("x_follow_up") == "x_follow_up"
    answer = world.all_tweets_newest_first()[0]
    assert answer.author_id == customer.id and answer.conversation_id == question.id


# --- public pages ----------------------------------------------------------------------------------------


def test_a_thread_page_shows_the_conversation_with_our_reply_and_escapes_everything(world, sandbox):
    hostile = world.tweet_create(author_id=world.x_user(username="x", name="<img src=x onerror=alert(1)>").id,
                                 text=f"@{X_HANDLE} <script>alert('x')</script>")
    world.tweet_create(author_id=X_ID, text="We helpen je graag ^AV", reply_to=hostile.id)

    response = requests.get(f"{sandbox.url}/x/status/{hostile.id}", timeout=5)

    page = response.text
    assert response.url.endswith(f"/_sandbox/x/conversations/{hostile.conversation_id}#t-{hostile.id}")
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<img src=x" not in page
    assert "We helpen je graag ^AV" in page and 'class="item brand reply"' in page
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_post_page_shows_comments_replies_and_hidden_ones(world, sandbox):
    post = world.post_create(page_id=PAGE_ID, message="Zomerpromo")
    rude = world.comment_create(target_id=post.id, message="Idioten", from_id=world.fb_person(name="T").id)
    world.comment_hide(comment_id=rude.id, hidden=True)
    world.comment_create(target_id=rude.id, message="We houden het hier vriendelijk", from_id=PAGE_ID)

    page = requests.get(f"{sandbox.url}/_sandbox/facebook/posts/{post.id}", timeout=5).text

    assert "Idioten" in page and "hidden: only the author" in page
    assert "We houden het hier vriendelijk" in page


def test_the_index_lists_the_accounts(sandbox):
    page = requests.get(f"{sandbox.url}/_sandbox/", timeout=5).text

    assert f"@{X_HANDLE}" in page and f"/_sandbox/facebook/pages/{PAGE_ID}" in page
