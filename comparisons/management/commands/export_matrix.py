import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comparisons.matrix_io import matrix_dumps, matrix_export


class Command(BaseCommand):
    help = (
        "Write the frameworks, aspects, ratings, scenarios and chooser as one JSON document "
        "(for backups and for moving content with import_matrix)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE, not standard output.")
        parser.add_argument("--indent", type=int, default=2, help="Spaces per indentation level (default 2).")

    def handle(self, *args, output=None, indent=2, **options):
        if indent < 0:
            raise CommandError("--indent must be 0 or more.")
        text = matrix_dumps(matrix_export(), indent=indent)
        if not output:
            self.stdout.write(text, ending="")
            return
        target = Path(output)
        try:
            # Written beside the target and renamed over it, so a backup is never left half written.
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False
            ) as handle:
                handle.write(text)
            os.replace(handle.name, target)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}") from error
        self.stderr.write(f"Wrote the matrix to {output}.")
