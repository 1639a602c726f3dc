# Production image: slim Python, dependencies from requirements.txt, a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 stackfit
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=stackfit:stackfit . .
# collectstatic needs settings to import, not a database: throwaway values for the build only.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown stackfit:stackfit /app/media

USER stackfit
EXPOSE 8000
ENTRYPOINT ["sh", "scripts/docker-entrypoint.sh"]
