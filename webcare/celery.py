import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

app = Celery("webcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Work is scheduled from the database (poll cursors' next_poll_at, deliveries'
# send_after); beat only wakes the dispatchers that read it. A wake-up nobody picked
# up in time is dropped (expires), not queued behind the next one.
# Celery's Django fixup closes database connections around every task, so a worker
# reconnects by itself after PostgreSQL restarts.
app.conf.beat_schedule = {
    "connectors-polls-dispatch": {
        "task": "connectors.polls_dispatch",
        "schedule": 3.0,
        "options": {"expires": 3},
    },
    "connectors-deliveries-sweep": {
        "task": "connectors.deliveries_sweep",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "connectors-accounts-probe": {
        "task": "connectors.accounts_probe",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
    "inbox-conduct-pending": {
        "task": "inbox.conduct_pending_process",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "inbox-conduct-forwards-sweep": {
        "task": "inbox.conduct_forwards_sweep",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
}
