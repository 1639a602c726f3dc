from django.core.management.base import BaseCommand, CommandError

from comparisons.facts import FACTS_SEED_FILE, refresh_facts, write_facts_seed
from comparisons.models import Framework


class Command(BaseCommand):
    help = (
        "Fetch each framework's release facts from the package index (latest version, dates, "
        "Python versions, licence, yanked releases, advisories) and write them all in one "
        "transaction, or nothing when any package fails. Prints what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--framework", action="append", metavar="SLUG", help="Only this framework (repeatable)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Fetch and report, write nothing.")
        parser.add_argument(
            "--write-seed",
            action="store_true",
            help="Afterwards write every framework's stored facts to comparisons/seed/facts.json.",
        )

    def handle(self, *args, framework=None, dry_run=False, write_seed=False, **options):
        if dry_run and write_seed:
            raise CommandError("--write-seed writes what was stored; it cannot go with --dry-run.")
        if framework:
            known = set(Framework.objects.filter(slug__in=framework).values_list("slug", flat=True))
            unknown = sorted(set(framework) - known)
            if unknown:
                raise CommandError(f"No framework with slug: {', '.join(unknown)}.")
            no_package = sorted(
                Framework.objects.filter(slug__in=framework, package="").values_list("slug", flat=True)
            )
            if no_package:
                raise CommandError(f"No package set for: {', '.join(no_package)}.")
        report = refresh_facts(frameworks=framework, dry_run=dry_run, stdout=self.stdout)
        if not report.ok:
            failed = len(report.failures)
            raise CommandError(f"Fetching failed for {failed} framework(s); nothing was written.")
        if write_seed:
            count = write_facts_seed()
            self.stdout.write(f"Wrote the facts of {count} framework(s) to {FACTS_SEED_FILE.name}.")
