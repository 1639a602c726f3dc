#!/bin/sh
# Container start: apply migrations, load the guide content (idempotent), serve.
set -e
python manage.py migrate --noinput
python manage.py load_initial_data
exec granian --interface wsgi --host 0.0.0.0 --port "${PORT:-8000}" \
    --workers "${WEB_WORKERS:-2}" --blocking-threads "${WEB_THREADS:-1}" --no-ws \
    portal.wsgi:application
