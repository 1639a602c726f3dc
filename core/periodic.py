"""The periodic schedule: which background tasks run how often, and enqueueing them once.

django-tasks has no scheduler of its own. Feature apps register their tasks here
from their AppConfig.ready; `manage.py enqueue_periodic_tasks`, run every minute
by compose's scheduler service, enqueues each task whose interval has passed
since it was last enqueued. Claiming a run is one conditional UPDATE on the
task's PeriodicTask row in the same transaction as the enqueue (the database
backend writes its task row on the same connection), so two schedulers never
enqueue the same run twice, and a failed enqueue leaves the run due.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import PeriodicTask


@dataclass(frozen=True)
class Periodic:
    name: str
    task: object  # a django_tasks Task
    every: timedelta


_registry: dict[str, Periodic] = {}


def register_periodic_task(task, *, every: timedelta) -> None:
    """Run `task` (a django-tasks Task taking no arguments) once every `every`."""
    if every < timedelta(minutes=1):
        raise ValueError("The scheduler runs once a minute: an interval must be at least a minute.")
    _registry[task.module_path] = Periodic(task.module_path, task, every)


def periodic_tasks() -> list[Periodic]:
    return sorted(_registry.values(), key=lambda entry: entry.name)


def enqueue_due_tasks(*, now: datetime | None = None) -> list[tuple[Periodic, str]]:
    """Enqueue every registered task that is due; returns (entry, task result id) for each."""
    now = now or timezone.now()
    entries = periodic_tasks()
    PeriodicTask.objects.bulk_create([PeriodicTask(name=e.name) for e in entries], ignore_conflicts=True)
    enqueued = []
    for entry in entries:
        with transaction.atomic():
            due = Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - entry.every)
            if not PeriodicTask.objects.filter(due, name=entry.name).update(last_enqueued_at=now):
                continue  # not due, or another scheduler has just claimed it
            result = entry.task.enqueue()
            PeriodicTask.objects.filter(name=entry.name).update(last_result_id=str(result.id))
        enqueued.append((entry, str(result.id)))
    return enqueued
