"""The deployment files agree with the code: no Docker engine here, so we parse them."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]
SETTINGS_SOURCE = (ROOT / "webcare" / "settings.py").read_text()
SETTINGS_ENV = set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', SETTINGS_SOURCE))
REQUIRED_IN_PRODUCTION = {"SECRET_KEY", "ALLOWED_HOSTS", "WEBCARE_CREDENTIALS_KEYS", "DATABASE_URL", "REDIS_URL"}


def test_compose_has_the_database_broker_and_every_process():
    assert {"postgres", "redis", *APP_SERVICES} <= set(SERVICES)


def test_every_app_process_runs_from_the_same_image():
    images = {SERVICES[name]["image"] for name in APP_SERVICES}
    builds = {SERVICES[name]["build"] for name in APP_SERVICES}
    assert images == {"webcare:latest"} and builds == {"."}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_process_gets_the_production_environment(name):
    env = SERVICES[name]["environment"]
    assert REQUIRED_IN_PRODUCTION <= set(env)
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert "DEBUG" not in env or env["DEBUG"] in ("false", "0")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_compose_sets_is_one_the_settings_read(name):
    assert set(SERVICES[name]["environment"]) <= SETTINGS_ENV


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_long_running_processes_wait_for_migrations_and_healthy_services(name):
    depends = SERVICES[name]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "beat"])
def test_long_running_services_have_health_checks(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_data_lives_in_volumes():
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "redisdata:/data" in SERVICES["redis"]["volumes"]


def test_redis_keeps_queued_work_and_never_evicts_it():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_commands_point_at_real_code():
    assert SERVICES["web"]["command"][:2] == ["gunicorn", "webcare.wsgi"]
    assert (ROOT / "webcare" / "gunicorn.conf.py").exists()
    for name in ("worker", "beat"):
        assert SERVICES[name]["command"][:3] == ["celery", "-A", "webcare"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements.txt" in dockerfile and "collectstatic" in dockerfile


def test_the_readme_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in SETTINGS_ENV if f"`{name}`" not in readme)
    assert not undocumented, f"README.md does not document: {undocumented}"


@pytest.fixture
def keep_test_connection():
    """What Django's test client does: the test's transaction must survive the request signals."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_health_probe_answers_without_a_known_host_or_https(keep_test_connection):
    from webcare.wsgi import application

    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    body = b"".join(
        application({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET", "HTTP_HOST": "10.0.0.7:8000"}, start_response)
    )
    assert seen["status"] == "200 OK"
    assert b'"status": "ok"' in body


def test_health_probe_reports_an_unreachable_database(monkeypatch, keep_test_connection):
    from webcare import health

    monkeypatch.setattr(health, "database_ok", lambda: False)
    seen = {}
    body = b"".join(
        health.HealthCheck(lambda environ, start: [b"app"])(
            {"PATH_INFO": "/healthz"}, lambda status, headers: seen.setdefault("status", status)
        )
    )

    assert seen["status"] == "503 Service Unavailable"
    assert b"unreachable" in body


def test_collectstatic_builds_the_production_manifest(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "WEBCARE_CREDENTIALS_KEYS": "jS-tNSI8HpOPEMP6ZoXX3d9O8Jwv8reqnT3cCL3jZZA=",
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEBCARE_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
