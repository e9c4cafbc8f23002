"""The benchmark world: 1,000,000 mentions over 10 teams (20 % unclaimed), 30 agents.

Seeded with set-based SQL (minutes, not hours), then reused by later runs: a
benchmark that changes rows puts them back with ``reset_claims``.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlparse

import psycopg

TEAMS = 10
AGENTS_PER_TEAM = 3
OPEN_SHARE = 5  # every 5th mention is unclaimed: 20 %


def ensure_database() -> None:
    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def ensure_dataset(mentions: int = 1_000_000) -> dict[str, int]:
    from django.core.management import call_command
    from django.db import connection

    from inbox.models import Mention

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inbox_mention")
        have = cursor.fetchone()[0]
    if have != mentions:
        started = time.perf_counter()
        print(f"seeding {mentions:,} mentions (once) ...", file=sys.stderr, flush=True)
        _seed(mentions)
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    reset_claims()
    return {"mentions": Mention.objects.count()}


def _seed(mentions: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from inbox.models import Brand, Membership, SocialAccount, Team, User

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE inbox_event, inbox_delivery, inbox_message, inbox_mentiontag, inbox_mention, inbox_contact,"
            " inbox_post, inbox_pollcursor, inbox_socialaccount, inbox_membership, inbox_team, inbox_brandtext,"
            " inbox_brand, inbox_user CASCADE"
        )
    password = make_password("bench-password")
    with transaction.atomic():
        brand = Brand.objects.create(name="Bench", slug="bench")
        for index in range(1, TEAMS + 1):
            team = Team.objects.create(name=f"Bench team {index}", slug=f"bench-{index}")
            SocialAccount.objects.create(
                brand=brand, team=team, platform="x", external_id=str(10_000 + index), handle=f"bench{index}"
            )
            for agent in range(AGENTS_PER_TEAM):
                user = User.objects.create(username=f"bench-{index}-{agent}", password=password, first_name="Bench")
                Membership.objects.create(team=team, user=user)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inbox_contact (platform, external_id, handle, name, follower_count, verified,
                                       first_seen_at, last_seen_at)
            SELECT 'x', 'c' || g, 'customer' || g, 'Customer ' || g, g % 5000, false, now(), now()
            FROM generate_series(1, 50000) g
            """
        )
        cursor.execute(
            """
            WITH accounts AS (
                SELECT a.id AS account_id, a.team_id, row_number() OVER (ORDER BY a.id) - 1 AS slot
                FROM inbox_socialaccount a
            ), agents AS (
                SELECT m.team_id, min(m.user_id) AS user_id FROM inbox_membership m GROUP BY m.team_id
            ), contacts AS (SELECT min(id) AS first_id FROM inbox_contact)
            INSERT INTO inbox_mention (
                account_id, team_id, kind, visibility, status, assignee_id, claimed_at, priority, language,
                contact_id, platform_thread_id, preview, has_personal_data, is_abusive, after_warning,
                public_reply_allowed, version, opened_at, waiting_since, last_inbound_at, first_response_at, due_at, closed_at,
                created_at, updated_at
            )
            SELECT a.account_id, a.team_id, 'mention', 'public',
                   CASE WHEN (g / %(teams)s) %% %(open)s = 0 THEN 'new' ELSE 'closed' END,
                   CASE WHEN (g / %(teams)s) %% %(open)s = 0 THEN NULL ELSE ag.user_id END,
                   NULL,
                   CASE WHEN g %% 97 = 0 THEN 3 WHEN g %% 13 = 0 THEN 2 WHEN g %% 7 = 0 THEN 0 ELSE 1 END,
                   (ARRAY['nl','fr','en','da'])[1 + g %% 4],
                   c.first_id + (g %% 50000),
                   '',
                   'Bench mention ' || g || ': internet is down again since this morning, please help',
                   g %% 17 = 0, g %% 41 = 0, g %% 83 = 0, true, 1,
                   ts, CASE WHEN (g / %(teams)s) %% %(open)s = 0 THEN ts END, ts, CASE WHEN (g / %(teams)s) %% %(open)s = 0 THEN NULL ELSE ts END,
                   ts + interval '1 hour', CASE WHEN (g / %(teams)s) %% %(open)s = 0 THEN NULL ELSE ts + interval '2 hours' END,
                   ts, ts
            FROM generate_series(1, %(total)s) g
            CROSS JOIN contacts c
            CROSS JOIN LATERAL (SELECT now() - (g || ' seconds')::interval AS ts) t
            JOIN accounts a ON a.slot = g %% %(teams)s
            JOIN agents ag ON ag.team_id = a.team_id
            """,
            {"total": mentions, "teams": TEAMS, "open": OPEN_SHARE},
        )
        cursor.execute(
            """
            INSERT INTO inbox_message (mention_id, account_id, platform_id, direction, author_contact_id, text,
                                       posted_at, received_at, parent_platform_id, permalink, like_count,
                                       reply_count, raw, has_personal_data, is_abusive, deleted_on_platform,
                                       hidden, edited, screened_hash)
            SELECT id, account_id, 'p' || id, 'inbound', contact_id, preview, opened_at, opened_at, '', '', 0, 0,
                   '{}'::jsonb, false, false, false, false, false, ''
            FROM inbox_mention
            """
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reset_claims() -> None:
    """Put back what a benchmark claimed, so every run starts from the same queue."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_mention SET status = 'new', assignee_id = NULL, claimed_at = NULL "
            "WHERE status = 'claimed'"
        )
        changed = cursor.rowcount
        cursor.execute("TRUNCATE inbox_event")
    if changed:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE inbox_mention")


def agents() -> list:
    from inbox.models import User

    return list(User.objects.filter(username__startswith="bench-").order_by("username"))
