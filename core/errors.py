"""The 404 and 500 handlers: API paths answer JSON; database outages become 503 with Retry-After.

While PostgreSQL restarts, requests fail with OperationalError (or a pool
timeout, which psycopg raises as one). That is a temporary condition, and
clients, load balancers and the chooser's script all retry a 503; a 500 would
read as a bug. The templates are standalone so that rendering them needs
neither the database nor the session.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults
from psycopg import InterfaceError as PgInterfaceError
from psycopg import OperationalError as PgOperationalError

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PgOperationalError, PgInterfaceError)


def page_not_found(request, exception):
    # A URL under /api/ that matches no route (a slug with a dot, say) is still an API answer.
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    error = sys.exc_info()[1]
    if _database_unavailable(error):
        if request.path_info.startswith("/api/"):
            response = JsonResponse(
                {"detail": "The database is unavailable. Try again in a few seconds."}, status=503
            )
        else:
            response = HttpResponseServerError(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())


def _database_unavailable(error) -> bool:
    # Django wraps psycopg's errors; the pool's PoolTimeout is a psycopg OperationalError.
    while error is not None:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        error = error.__cause__ or error.__context__
    return False
