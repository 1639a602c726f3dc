# Production image: slim Python, dependencies from requirements.txt, a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 1000 stackfit
# Dependencies before the code, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=stackfit:stackfit . .
# collectstatic needs settings to import, not a database: throwaway values for the build only.
# The production settings store static files through WhiteNoise's manifest storage: hashed
# names and pre-compressed copies, written here once instead of at every start.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && test -f staticfiles/staticfiles.json \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/media && chown stackfit:stackfit /app/media

USER stackfit
EXPOSE 8000
# /readyz answers before host checks and the HTTPS redirect: no Host header or TLS needed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["sh", "scripts/docker-entrypoint.sh"]
CMD ["serve"]
