from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from core import periodic
from core.models import PeriodicTask

pytestmark = pytest.mark.django_db


@task(backend="worker")
def heartbeat() -> str:
    return "ok"


@pytest.fixture
def only_heartbeat(monkeypatch):
    monkeypatch.setattr(periodic, "_registry", {})
    periodic.register_periodic_task(heartbeat, every=timedelta(hours=1))
    return heartbeat.module_path


def test_the_apps_register_their_tasks():
    names = {entry.name: entry.every for entry in periodic.periodic_tasks()}
    assert names["decisions.tasks.check_decisions"] == timedelta(hours=1)
    assert names["comparisons.tasks.refresh_facts"] == timedelta(days=1)


def test_a_due_task_is_enqueued_on_the_worker_backend_once(only_heartbeat):
    now = timezone.now()
    enqueued = periodic.enqueue_due_tasks(now=now)
    assert [entry.name for entry, _ in enqueued] == [only_heartbeat]
    row = DBTaskResult.objects.get()
    assert (row.task_path, row.backend_name, row.status) == (only_heartbeat, "worker", "READY")
    schedule = PeriodicTask.objects.get(name=only_heartbeat)
    assert schedule.last_enqueued_at == now
    assert schedule.last_result_id == str(row.id)

    # A second scheduler a moment later, and the same one within the hour: nothing more.
    assert periodic.enqueue_due_tasks(now=now) == []
    assert periodic.enqueue_due_tasks(now=now + timedelta(minutes=59)) == []
    assert DBTaskResult.objects.count() == 1


def test_the_task_is_due_again_after_its_interval(only_heartbeat):
    start = timezone.now()
    periodic.enqueue_due_tasks(now=start)
    assert len(periodic.enqueue_due_tasks(now=start + timedelta(hours=1))) == 1
    assert DBTaskResult.objects.count() == 2


def test_a_failed_enqueue_leaves_the_run_due(only_heartbeat, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("backend down")

    with monkeypatch.context() as patch:
        patch.setattr(type(heartbeat), "enqueue", refuse)
        with pytest.raises(RuntimeError):
            periodic.enqueue_due_tasks()
    assert PeriodicTask.objects.get(name=only_heartbeat).last_enqueued_at is None
    assert DBTaskResult.objects.count() == 0
    assert len(periodic.enqueue_due_tasks()) == 1


def test_an_interval_under_a_minute_is_refused(monkeypatch):
    monkeypatch.setattr(periodic, "_registry", {})
    with pytest.raises(ValueError, match="at least a minute"):
        periodic.register_periodic_task(heartbeat, every=timedelta(seconds=30))


def test_command_prints_what_it_enqueued(only_heartbeat):
    out = StringIO()
    call_command("enqueue_periodic_tasks", stdout=out)
    assert f"Enqueued {only_heartbeat} (every 1:00:00)" in out.getvalue()
    out = StringIO()
    call_command("enqueue_periodic_tasks", stdout=out, verbosity=2)
    assert out.getvalue().startswith("Nothing due")


def test_worker_health_fails_on_a_task_no_worker_took():
    result = heartbeat.enqueue()
    out = StringIO()
    call_command("worker_health", stdout=out)
    assert "ok: 1 task(s) ready" in out.getvalue()

    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=11))
    with pytest.raises(Exception, match="1 task\\(s\\) on 'worker' waited over 600 s"):
        call_command("worker_health", stdout=StringIO())
    DBTaskResult.objects.filter(id=result.id).update(status="SUCCESSFUL")
    call_command("worker_health", stdout=StringIO())
