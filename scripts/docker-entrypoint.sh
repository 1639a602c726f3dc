#!/bin/sh
# Container start. With no arguments (or `serve`): wait for the database, apply
# migrations, load the guide content (idempotent), then serve with granian.
# `setup` stops before serving (a one-off job ahead of several web containers);
# anything else runs as given, e.g. `docker compose run --rm web python manage.py export_matrix`.
set -e

setup() {
    python manage.py wait_for_db --timeout "${DB_WAIT_TIMEOUT:-60}"
    python manage.py migrate --noinput
    python manage.py load_initial_data
}

case "${1:-serve}" in
serve)
    setup
    # Django's settings and granian share LOG_LEVEL; granian wants it in lower case.
    exec granian --interface wsgi --host 0.0.0.0 --port "${PORT:-8000}" \
        --workers "${WEB_WORKERS:-2}" --blocking-threads "${WEB_THREADS:-1}" --no-ws \
        --respawn-failed-workers --workers-kill-timeout 30 \
        --log-level "$(echo "${LOG_LEVEL:-INFO}" | tr '[:upper:]' '[:lower:]')" \
        portal.wsgi:application
    ;;
setup)
    setup
    ;;
*)
    exec "$@"
    ;;
esac
