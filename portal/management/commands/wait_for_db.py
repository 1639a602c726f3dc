import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend


class Command(BaseCommand):
    help = (
        "Wait until the database accepts connections, retrying until --timeout. "
        "Exits non-zero with the last error if it never does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60, help="Seconds to keep trying (default 60).")
        parser.add_argument("--interval", type=float, default=1, help="Seconds between attempts (default 1).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, timeout, interval, database, **options):
        if timeout <= 0 or interval <= 0:
            raise CommandError("--timeout and --interval must be positive.")
        settings_dict = connections[database].settings_dict
        where = describe(settings_dict)
        deadline = time.monotonic() + timeout
        attempt = 0
        while True:
            attempt += 1
            error = try_connect(settings_dict, database, max(deadline - time.monotonic(), 1))
            if error is None:
                self.stdout.write(f"Database {where} is ready (attempt {attempt}).")
                return
            if time.monotonic() + interval > deadline:
                raise CommandError(f"Database {where} still unreachable after {timeout:g}s: {error}")
            self.stderr.write(f"Waiting for database {where} (attempt {attempt}): {error}")
            time.sleep(interval)


def try_connect(settings_dict: dict, alias: str, seconds_left: float) -> str | None:
    """Open and close one fresh connection; return the error's first line, or None."""
    # A wrapper of its own, without the connection pool: a pool retries in the
    # background and would blur "not up yet" into "pool timeout".
    options = {key: value for key, value in settings_dict.get("OPTIONS", {}).items() if key != "pool"}
    backend = load_backend(settings_dict["ENGINE"])
    if backend.DatabaseWrapper.vendor == "postgresql":
        # An address that drops packets would otherwise hang well past --timeout; libpq's floor is 2s.
        options.setdefault("connect_timeout", max(2, min(10, int(seconds_left))))
    probe = backend.DatabaseWrapper({**settings_dict, "OPTIONS": options}, alias)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        lines = str(error).strip().splitlines()
        return lines[0] if lines else type(error).__name__
    finally:
        probe.close()
    return None


def describe(settings_dict: dict) -> str:
    """Where the database is, without the password."""
    if settings_dict.get("HOST"):
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"{settings_dict['NAME']} on {settings_dict['HOST']}{port}"
    return str(settings_dict["NAME"])
