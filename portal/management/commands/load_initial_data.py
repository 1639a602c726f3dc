from django.core.management.base import BaseCommand

from portal.seeding import load_initial_data


class Command(BaseCommand):
    help = (
        "Load the guide, FAQ, comparison matrix and cheat sheet from the seed files. "
        "Idempotent: items loaded once are never loaded again, so editors' changes survive."
    )

    def handle(self, *args, **options):
        report = load_initial_data()
        self.stdout.write(self.style.SUCCESS(str(report)))
