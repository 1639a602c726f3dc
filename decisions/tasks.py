"""Background tasks of saved decisions, run by the worker (`manage.py db_worker --backend worker`)."""

from django.conf import settings
from django_tasks import task

from decisions import attention


@task(backend=settings.WORKER_TASK_BACKEND)
def check_decisions() -> dict:
    """Flag decisions that need attention and mail their owners (hourly, see apps.py)."""
    report = attention.check_decisions()
    return {"flagged": report.flagged, "notices": report.notices, "emails": report.emails}
