from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create a superuser (asks for a user name, email and password) whose email is already verified, "
        "so they can sign in at /accounts/login/ and reach /admin/ at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput",
            action="store_true",
            help="Read DJANGO_SUPERUSER_USERNAME, _EMAIL and _PASSWORD from the environment.",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        before = set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
        call_command("createsuperuser", interactive=not options["noinput"])
        for user in User.objects.filter(is_superuser=True).exclude(pk__in=before):
            # The person at this terminal typed the address: no mail round trip needed.
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            self.stdout.write(self.style.SUCCESS(f"Sign in at /accounts/login/ as {user.email}."))
