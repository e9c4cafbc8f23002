"""Meta-style webhook deliveries from the sandbox to Webcare, signed like Meta signs them.

Changes to Facebook content (comments, visitor posts, Messenger messages) become
``feed`` and ``messages`` webhooks when a target is configured. Like Meta's, they can
arrive more than once and out of order: ``duplicates`` and ``shuffle`` say how badly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import random
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from connectors.sandbox.world import World, utcnow


def sign(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookPusher:
    def __init__(self, world: World) -> None:
        self.world = world
        self.config: dict[str, Any] = {"url": "", "app_secret": "", "enabled": False, "duplicates": 1,
                                       "shuffle": False, "hold_seconds": 0.0}
        self.outbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.log: list[dict[str, Any]] = []
        self.rng = random.Random(world.seed)
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        world.listeners.append(self.on_event)

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        for key in self.config:
            if key in body:
                self.config[key] = body[key]
        if "enabled" not in body and body.get("url"):
            self.config["enabled"] = True
        if self.config["enabled"] and (self.thread is None or not self.thread.is_alive()):
            self.stopping.clear()
            self.thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self.thread.start()
        return {key: value for key, value in self.config.items() if key != "app_secret"}

    def stop(self) -> None:
        self.stopping.set()
        self.outbox.put(None)

    # --- payloads -------------------------------------------------------------------

    def on_event(self, event: str, payload: dict[str, Any]) -> None:
        if not self.config["enabled"] or not self.config["url"]:
            return
        body = self.payload_for(event, payload)
        if body is not None:
            self.outbox.put(body)

    def payload_for(self, event: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        world = self.world
        if event == "fb_comment":
            comment = world.comments[payload["comment"]]
            post = world.posts[comment.post_id]
            verb = payload.get("verb", "add")
            value: dict[str, Any] = {
                "from": {"id": comment.from_id, "name": comment.from_name},
                "post": {"status_type": "mobile_status_update", "is_published": True, "id": post.id,
                         "updated_time": post.updated_time.strftime("%Y-%m-%dT%H:%M:%S+0000")},
                "post_id": post.id,
                "comment_id": comment.id,
                "created_time": int((comment.updated_time if verb != "add" else comment.created_time).timestamp()),
                "item": "comment",
                "parent_id": comment.parent_id or post.id,
                "verb": verb,
            }
            if verb != "remove":
                value["message"] = comment.message
            return self._feed(post.page_id, value)
        if event == "fb_post":
            post = world.posts[payload["post"]]
            value = {"from": {"id": post.from_id, "name": post.from_name}, "post_id": post.id,
                     "created_time": int(post.created_time.timestamp()), "item": "status",
                     "verb": payload.get("verb", "add"), "published": 1}
            if payload.get("verb") != "remove":
                value["message"] = post.message
            return self._feed(post.page_id, value)
        if event == "fb_message":
            message = world.messages[payload["message"]]
            conversation = world.conversations[message.conversation_id]
            stamp = int(message.created_time.timestamp() * 1000)
            return {"object": "page", "entry": [{"id": conversation.page_id, "time": stamp, "messaging": [{
                "sender": {"id": message.from_id}, "recipient": {"id": message.to_id}, "timestamp": stamp,
                "message": {"mid": message.id, "text": message.text}}]}]}
        return None

    @staticmethod
    def _feed(page_id: str, value: dict[str, Any]) -> dict[str, Any]:
        return {"object": "page", "entry": [{"id": page_id, "time": int(time.time()),
                                             "changes": [{"field": "feed", "value": value}]}]}

    # --- delivery -------------------------------------------------------------------

    def _run(self) -> None:
        while not self.stopping.is_set():
            item = self.outbox.get()
            if item is None:
                return
            batch = [item]
            hold = float(self.config.get("hold_seconds") or 0)
            deadline = time.monotonic() + hold
            while hold and time.monotonic() < deadline:
                try:
                    more = self.outbox.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    return
                batch.append(more)
            copies = [payload for payload in batch for _ in range(max(1, int(self.config["duplicates"])))]
            if self.config["shuffle"]:
                self.rng.shuffle(copies)
            for payload in copies:
                self.deliver(payload)

    def deliver(self, payload: dict[str, Any], *, bad_signature: bool = False, attempts: int = 3) -> int:
        body = json.dumps(payload).encode()  # escaped unicode, as Meta sends it
        secret = self.config["app_secret"] + ("-wrong" if bad_signature else "")
        status = 0
        for attempt in range(attempts):
            request = urllib.request.Request(
                self.config["url"], data=body, method="POST",
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the configured target
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, OSError):
                status = 0
            if status and status < 500:
                break
            time.sleep(0.2 * (attempt + 1))  # Meta retries failed deliveries too
        self.log.append({"at": utcnow().isoformat(), "status": status, "bad_signature": bad_signature,
                         "entries": len(payload.get("entry", []))})
        return status

    def send_now(self, body: dict[str, Any]) -> dict[str, Any]:
        """Deliver one payload right away, ``times`` times (the caller's duplicate storm)."""
        if "url" in body or "app_secret" in body:
            self.configure({k: body[k] for k in ("url", "app_secret") if k in body} | {"enabled": True})
        payload = body.get("payload")
        if payload is None:
            with self.world.lock:
                if body.get("comment_id"):
                    payload = self.payload_for("fb_comment", {"comment": body["comment_id"],
                                                              "verb": body.get("verb", "add")})
                elif body.get("message_id"):
                    payload = self.payload_for("fb_message", {"message": body["message_id"]})
                elif body.get("post_id"):
                    payload = self.payload_for("fb_post", {"post": body["post_id"], "verb": body.get("verb", "add")})
        if payload is None:
            raise ValueError("give payload, comment_id, message_id or post_id")
        statuses = [self.deliver(payload, bad_signature=bool(body.get("bad_signature")))
                    for _ in range(int(body.get("times", 1)))]
        return {"statuses": statuses, "payload": payload}

    def log_entries(self) -> list[dict[str, Any]]:
        return list(self.log)
