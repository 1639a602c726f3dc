import sys

from django.core.management.base import BaseCommand, CommandError

from comparisons.matrix_io import MatrixDocumentError, matrix_import, matrix_parse


class Command(BaseCommand):
    help = (
        "Make the matrix and chooser match a document written by export_matrix. The whole file is "
        "checked first; a file with any problem changes nothing. Items the file leaves out are "
        "deleted unless --keep-missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help='The JSON document, or "-" for standard input.')
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and list what would change; write nothing."
        )
        parser.add_argument(
            "--keep-missing",
            action="store_true",
            help="Keep the frameworks, aspects, ratings, scenarios, questions and options not in the file.",
        )

    def handle(self, *args, file, dry_run=False, keep_missing=False, **options):
        try:
            document = matrix_parse(self._read(file))
            report = matrix_import(document, dry_run=dry_run, keep_missing=keep_missing)
        except MatrixDocumentError as error:
            count = len(error.problems)
            name = "standard input" if file == "-" else file
            raise CommandError(
                f"{name}: not imported, nothing was changed ({count} problem{'s' if count != 1 else ''}):\n"
                + "\n".join(f"  {problem}" for problem in error.problems)
            ) from error
        self.stdout.write(str(report))
        if dry_run or options["verbosity"] > 1:
            for line in report.changes:
                self.stdout.write(f"  {line}")
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))

    def _read(self, file: str) -> str:
        try:
            if file == "-":
                return sys.stdin.read()
            with open(file, encoding="utf-8") as handle:
                return handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file}: not UTF-8 text ({error.reason} at byte {error.start}).") from error
