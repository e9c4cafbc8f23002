# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEBCARE_VAR_DIR=/app/var

RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Build-time values only: collectstatic needs importable settings, nothing more.
RUN DEBUG=true python manage.py compilemessages --ignore=.venv -v0 \
 && DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
    WEBCARE_CREDENTIALS_KEYS=jS-tNSI8HpOPEMP6ZoXX3d9O8Jwv8reqnT3cCL3jZZA= \
    python manage.py collectstatic --no-input -v0

RUN useradd --system --uid 10001 --home-dir /app webcare \
 && mkdir -p /app/var && chown webcare /app/var
USER webcare

EXPOSE 8000
CMD ["gunicorn", "webcare.wsgi", "--config", "webcare/gunicorn.conf.py"]
