import factory
from django.contrib.auth import get_user_model

from decisions import services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-long-test-password")


def make_decision(owner, answers=None, **fields):
    """A decision saved through the service, as the chooser and the API save them."""
    return services.decision_create(
        owner=owner,
        title=fields.pop("title", "Framework for the billing service"),
        answers=answers or {"project": ["saas"], "needs": ["admin"]},
        **fields,
    )
