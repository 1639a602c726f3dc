"""Background tasks of the matrix, run by the worker (`manage.py db_worker --backend worker`)."""

import io
import logging

from django.conf import settings
from django_tasks import task

from comparisons import facts

logger = logging.getLogger(__name__)


class FactsRefreshFailed(RuntimeError):
    """Some package could not be fetched or was invalid: nothing was written."""


@task(backend=settings.WORKER_TASK_BACKEND)
def refresh_facts() -> dict:
    """Fetch every framework's release facts and write them all or none (daily, see apps.py).

    A failure raises, so the task is stored as failed with the report as its message
    and shows in the worker's log; the next day's run is the retry.
    """
    out = io.StringIO()
    report = facts.refresh_facts(stdout=out)
    for line in out.getvalue().splitlines():
        logger.info("refresh_facts: %s", line)
    if not report.ok:
        raise FactsRefreshFailed(out.getvalue().strip())
    return {
        "checked": list(report.checked),
        "changes": {slug: list(lines) for slug, lines in report.changes.items() if lines},
        "written": report.written,
    }
