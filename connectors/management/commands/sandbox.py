"""Run the sandbox platform: X API v2 and the Graph API on one local port, with customers writing in."""

from __future__ import annotations

import datetime as dt
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from connectors.sandbox import SandboxServer
from connectors.sandbox.world import World
from inbox.models import Direction, Message, Platform, SocialAccount


class Command(BaseCommand):
    help = (
        "Serve the sandbox platform (a local X and Facebook) for the accounts whose API base URL points at it, "
        "with a scenario of customers writing in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8400)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same customers and texts.")
        parser.add_argument("--scenario", choices=["normal", "storm", "off"], default="normal")
        parser.add_argument("--rate", type=float, default=4.0, help="Normal day: items per minute (default 4).")
        parser.add_argument("--storm-count", type=int, default=300)
        parser.add_argument("--storm-minutes", type=float, default=5.0)
        parser.add_argument("--webhook-url", default="",
                            help="Push Facebook webhooks here, signed with META_APP_SECRET (e.g. "
                                 "http://127.0.0.1:8000/webhooks/meta).")
        parser.add_argument("--all-accounts", action="store_true",
                            help="Serve every account, not only those whose API base URL is the sandbox's.")

    def handle(self, *args: Any, **options: Any) -> None:
        server = SandboxServer(host=options["host"], port=options["port"], seed=options["seed"])
        accounts = self._accounts(server.url, all_accounts=options["all_accounts"])
        for account in accounts:
            self._register(server, account)
        for account in accounts:
            self._import_inbox(server.world, account)
        if options["webhook_url"] and settings.META_APP_SECRET:
            server.webhooks.configure({"url": options["webhook_url"], "app_secret": settings.META_APP_SECRET})
        if options["scenario"] == "storm":
            server.scenarios.ensure_marketing_posts()
            server.scenarios.start({"name": "storm", "count": options["storm_count"],
                                    "minutes": options["storm_minutes"]})
        elif options["scenario"] == "normal":
            server.scenarios.start({"name": "normal", "rate_per_minute": options["rate"]})
        self.stdout.write(self.style.SUCCESS(
            f"Sandbox platform on {server.url}/_sandbox/ for {len(accounts)} account(s); "
            f"scenario {options['scenario']}. Stop with Ctrl-C."
        ))
        signal.signal(signal.SIGTERM, lambda *_: server.httpd.shutdown())
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.scenarios.stop()
            server.webhooks.stop()
            server.httpd.server_close()

    @staticmethod
    def _accounts(url: str, *, all_accounts: bool) -> list[SocialAccount]:
        accounts = SocialAccount.objects.select_related("brand").order_by("pk")
        if all_accounts:
            return list(accounts)
        port = url.rsplit(":", 1)[-1]
        return [a for a in accounts if a.api_base_url.rstrip("/").endswith(f":{port}")]

    @staticmethod
    def _register(server: SandboxServer, account: SocialAccount) -> None:
        credentials = account.get_credentials() if account.has_credentials else {}
        written = {lang for lang in account.mentions.values_list("language", flat=True).distinct()[:10] if lang}
        languages = [account.brand.default_language, *sorted(written - {account.brand.default_language})]
        body: dict[str, Any] = {"id": account.external_id, "handle": account.handle, "languages": languages}
        if account.platform == Platform.X:
            tokens = [credentials.get(k) for k in ("bearer_token", "access_token", "oauth2_user_token")]
            server.control.add_account({**body, "platform": "x", "name": account.brand.name,
                                        "tokens": [t for t in tokens if t], "keywords": list(account.keywords or [])},
                                       None)  # type: ignore[arg-type]
        else:
            server.control.add_account({**body, "platform": "facebook", "name": account.handle,
                                        "tokens": [t for t in [credentials.get("page_access_token")] if t],
                                        "app_secret": credentials.get("app_secret", "")}, None)  # type: ignore[arg-type]

    @staticmethod
    def _import_inbox(world: World, account: SocialAccount, limit: int = 5000) -> None:
        """What the inbox already holds exists on the sandbox too, so every mention can be answered."""
        messages = (
            Message.objects.filter(account=account).exclude(platform_id=None).exclude(direction=Direction.NOTE)
            .select_related("mention", "mention__context_post", "mention__contact", "author_contact")
            .order_by("posted_at")[:limit]
        )
        for message in messages:
            mention = message.mention
            contact = message.author_contact or mention.contact
            inbound = message.direction == Direction.INBOUND
            author_id = contact.external_id if inbound and contact else account.external_id
            name = (contact.name if inbound and contact else account.handle) or author_id
            posted = message.posted_at or dt.datetime.now(dt.UTC)
            pid = str(message.platform_id)
            if account.platform == Platform.X:
                if mention.kind == "private":
                    if inbound and contact:
                        world.import_x_user(user_id=author_id, username=contact.handle or author_id, name=name,
                                            followers=contact.follower_count)
                    continue
                if inbound and contact:
                    world.import_x_user(user_id=author_id, username=contact.handle or author_id, name=name,
                                        followers=contact.follower_count)
                world.import_tweet(tweet_id=pid, author_id=author_id, text=message.text, created_at=posted,
                                   replied_to=message.parent_platform_id or None)
                continue
            if mention.kind == "private":
                world.import_message(message_id=pid, page_id=account.external_id, psid=(contact.external_id if contact
                                     else ""), name=contact.name if contact else "", text=message.text,
                                     created_time=posted, from_page=not inbound)
                continue
            if mention.kind == "page_post" and message.parent_platform_id == "":
                world.import_post(post_id=pid, page_id=account.external_id, message=message.text, created_time=posted,
                                  from_id=author_id, from_name=name)
                continue
            post = mention.context_post
            if post is not None:
                world.import_post(post_id=post.platform_id, page_id=account.external_id, message=post.text,
                                  created_time=post.posted_at or posted - dt.timedelta(days=1))
            post_id = post.platform_id if post is not None else message.parent_platform_id
            parent = message.parent_platform_id if message.parent_platform_id != post_id else None
            world.import_comment(comment_id=pid, post_id=post_id, parent_id=parent, from_id=author_id, from_name=name,
                                 message=message.text, created_time=posted)
