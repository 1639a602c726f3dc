import factory
from django.contrib.auth import get_user_model

from decisions import services
from decisions.models import Decision


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-long-test-password")


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision saved through the service, so its snapshot is computed from the matrix as saved."""

    class Meta:
        model = Decision

    owner = factory.SubFactory(UserFactory)
    title = "Framework for the billing service"
    answers = factory.LazyFunction(lambda: {"project": ["saas"], "needs": ["admin"]})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.decision_create(*args, **kwargs)


def make_decision(owner, answers=None, **fields):
    """A decision saved through the service, as the chooser and the API save them."""
    if answers:
        fields["answers"] = answers
    return DecisionFactory(owner=owner, **fields)
