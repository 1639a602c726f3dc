from django.core.management.base import BaseCommand

from core.periodic import enqueue_due_tasks, periodic_tasks


class Command(BaseCommand):
    help = "Enqueue the periodic background tasks that are due (run it every minute)."

    def handle(self, *args, **options):
        enqueued = enqueue_due_tasks()
        for entry, result_id in enqueued:
            self.stdout.write(f"Enqueued {entry.name} (every {entry.every}) as {result_id}")
        if not enqueued and options["verbosity"] > 1:
            names = ", ".join(e.name for e in periodic_tasks()) or "none registered"
            self.stdout.write(f"Nothing due ({names}).")
