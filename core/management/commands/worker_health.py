from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


class Command(BaseCommand):
    help = (
        "The worker container's healthcheck: fails when the database cannot be read, or when a "
        "task has been ready for longer than WORKER_MAX_QUEUE_AGE seconds without a worker taking it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backend", default=settings.WORKER_TASK_BACKEND)
        parser.add_argument("--max-age", type=int, default=settings.WORKER_MAX_QUEUE_AGE)

    def handle(self, *args, backend, max_age, **options):
        cutoff = timezone.now() - timedelta(seconds=max_age)
        # A deferred task waits from its run_after; any other (run_after is the maximum date) from enqueueing.
        overdue = Q(run_after=get_date_max(), enqueued_at__lt=cutoff) | Q(run_after__lt=cutoff)
        stuck = DBTaskResult.objects.ready().filter(overdue, backend_name=backend).count()
        if stuck:
            raise CommandError(f"{stuck} task(s) on '{backend}' waited over {max_age} s: no worker?")
        ready = DBTaskResult.objects.ready().filter(backend_name=backend).count()
        self.stdout.write(f"ok: {ready} task(s) ready on '{backend}', none older than {max_age} s")
