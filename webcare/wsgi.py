import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

from webcare.health import HealthCheck  # noqa: E402

application = HealthCheck(get_wsgi_application())
