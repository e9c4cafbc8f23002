"""Settings for the test suite: the real settings, fed a test environment.

pytest-django imports settings before any conftest runs, so the environment is
prepared here. Nothing below changes behaviour except making passwords cheap to hash.
"""

import os
import tempfile

from tests.services import checkout_suffix, configure_environment

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("WEBCARE_CREDENTIALS_KEYS", "jS-tNSI8HpOPEMP6ZoXX3d9O8Jwv8reqnT3cCL3jZZA=")
os.environ.setdefault("WEBCARE_HTTPS", "false")
os.environ.setdefault("WEBCARE_VAR_DIR", tempfile.mkdtemp(prefix="webcare-tests-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
TEST_SERVICES = configure_environment()

from webcare.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite talks to the broker only in tests that ask for it (marked "redis").
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Tests do not run collectstatic; tests/webcare/test_static.py covers the manifest storage.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The shared Redis also serves other checkouts' test runs: keep this run's cache keys apart.
CACHES["default"]["KEY_PREFIX"] = f"test-{checkout_suffix()}"  # noqa: F405
