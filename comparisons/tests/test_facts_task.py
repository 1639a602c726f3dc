import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from comparisons.models import FrameworkFacts
from comparisons.tasks import FactsRefreshFailed, refresh_facts
from comparisons.tests.index_server import Answer
from comparisons.tests.test_facts import age_django_facts, package_index  # noqa: F401
from core.periodic import periodic_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_worker(monkeypatch):
    """What `manage.py db_worker --backend worker --batch` does, in this process and transaction.

    The worker recycles its connection between tasks, which would close the test's
    transaction on PostgreSQL; the real process is run in decisions/tests/test_worker.py.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="worker",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def test_refresh_facts_is_a_daily_task_on_the_worker_backend():
    schedule = {entry.name: entry.every.total_seconds() for entry in periodic_tasks()}
    assert schedule["comparisons.tasks.refresh_facts"] == 24 * 3600
    assert refresh_facts.backend == "worker"


def test_the_worker_refreshes_facts_and_stores_what_changed(seeded, package_index, run_worker):  # noqa: F811
    age_django_facts()
    result = refresh_facts.enqueue()
    run_worker()
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "SUCCESSFUL", stored.traceback
    assert stored.return_value["written"] is True
    assert "new version 6.1.2 → 6.1.3 (released 2026-11-03)" in stored.return_value["changes"]["django"]
    assert "flask" not in stored.return_value["changes"]
    assert FrameworkFacts.objects.get(framework__slug="django").latest_version == "6.1.3"


def test_a_failed_refresh_is_a_failed_task_with_the_report(seeded, package_index, run_worker):  # noqa: F811
    age_django_facts()
    package_index.queue("quart", Answer(status=500), Answer(status=500))
    result = refresh_facts.enqueue()
    run_worker()
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "FAILED"
    assert stored.exception_class_path == f"{FactsRefreshFailed.__module__}.FactsRefreshFailed"
    assert "quart: FAILED: quart: the index answered HTTP 500" in stored.traceback
    assert FrameworkFacts.objects.get(framework__slug="django").latest_version == "6.1.2"
