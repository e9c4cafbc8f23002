import os
import subprocess
import sys
from pathlib import Path

import pytest

from webcare.env import EnvError, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "Zr8-q2Lx9vWm4Tn7Kc1Hd6Fb3Jp0Ys5Ga8Ue2Io7Pw4Qx1Rt9Vz6Nl3Mk0Bj5Ch",
    "ALLOWED_HOSTS": "webcare.example.com",
    "WEBCARE_CREDENTIALS_KEYS": "jS-tNSI8HpOPEMP6ZoXX3d9O8Jwv8reqnT3cCL3jZZA=",
    "WEBCARE_BEHIND_PROXY": "true",
}


def run_django(env: dict[str, str], *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    clean.update({"WEBCARE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "webcare.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "Environment variable DEBUG='maybe' is not valid (one of true/false"),
        ("DATABASE_URL", "mysql://root@localhost/webcare", "DATABASE_URL must point at PostgreSQL"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL='localhost:6379' is not valid"),
        ("TIME_ZONE", "Europe/Gent", "TIME_ZONE='Europe/Gent' is not a known IANA time zone"),
        ("LANGUAGE_CODE", "de", "LANGUAGE_CODE='de' is not valid (one of en, nl, fr, da)"),
        ("DATABASE_CONN_MAX_AGE", "-1", "DATABASE_CONN_MAX_AGE='-1' is not valid (a whole number): must be at least 0"),
    ],
)
def test_a_bad_environment_value_stops_start_up_with_a_clear_message(name, value, message, tmp_path):
    result = run_django({**PRODUCTION, name: value}, "check", tmp_path=tmp_path)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = run_django(env, "check", tmp_path=tmp_path)

    assert result.returncode != 0
    assert "Environment variable SECRET_KEY is required" in result.stderr


def test_a_malformed_credentials_key_is_reported_when_used(tmp_path):
    result = run_django(
        {**PRODUCTION, "WEBCARE_CREDENTIALS_KEYS": "not-a-key"},
        "shell", "-c", "from inbox import crypto; crypto.encrypt_json({'a': 'b'})",
        tmp_path=tmp_path,
    )

    assert result.returncode != 0
    assert "WEBCARE_CREDENTIALS_KEYS must hold Fernet keys" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_django(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("YES", True), ("on", True), ("0", False), ("False", False), ("", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", False) is expected


def test_env_int_enforces_its_bounds(monkeypatch):
    monkeypatch.setenv("N", "5000")
    with pytest.raises(EnvError, match="must be at most 3600"):
        env_int("N", 60, maximum=3600)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_a_required_value_names_itself(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(EnvError, match="Environment variable NOPE is required"):
        env_int("NOPE")
