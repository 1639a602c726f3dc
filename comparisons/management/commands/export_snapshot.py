import json

from django.core.management.base import BaseCommand

from comparisons.engine import snapshot_to_dict
from comparisons.snapshot import build_snapshot


class Command(BaseCommand):
    help = "Print the recommendation engine's snapshot (matrix, chooser, scenarios) as JSON."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(snapshot_to_dict(build_snapshot()), indent=2, ensure_ascii=False))
