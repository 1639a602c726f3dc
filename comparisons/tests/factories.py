import datetime

import factory
from django.utils import timezone

from comparisons.models import (
    Advisory,
    Aspect,
    AspectKind,
    Framework,
    FrameworkFacts,
    Option,
    OptionWeight,
    Question,
    QuestionKind,
    Rating,
    ReleaseLine,
    Scenario,
)


class AspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aspect
        django_get_or_create = ["slug"]

    live = True  # published, as the seed's content is; pass live=False for a draft
    name = factory.Sequence(lambda n: f"Aspect {n}")
    slug = factory.Sequence(lambda n: f"aspect_{n}")
    description = "How well the framework does this; 5 is best."
    kind = AspectKind.SCORED
    sort_order = factory.Sequence(lambda n: n)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ["slug"]

    live = True  # published, as the seed's content is; pass live=False for a draft
    name = factory.Sequence(lambda n: f"Framework {n}")
    slug = factory.Sequence(lambda n: f"framework-{n}")
    kind = "Micro-framework"
    summary = "A Python web framework."
    website = "https://example.com/"
    # Dark enough for text, and different for each framework.
    colour = factory.Sequence(lambda n: f"#{(n * 37) % 96:02x}{(n * 53) % 96:02x}{(n * 71) % 96:02x}")
    tagline = factory.Sequence(lambda n: f"Tagline {n}")
    sort_order = factory.Sequence(lambda n: n)


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    framework = factory.SubFactory(FrameworkFactory)
    aspect = factory.SubFactory(AspectFactory)
    score = 3
    label = "Good"
    note = "Because the guide says so."


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    live = True  # published, as the seed's content is; pass live=False for a draft
    situation = factory.Sequence(lambda n: f"Situation {n}")
    slug = factory.Sequence(lambda n: f"situation-{n}")
    framework = factory.SubFactory(FrameworkFactory)
    rationale = "It fits."
    in_cheat_sheet = True
    sort_order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        django_get_or_create = ["slug"]

    live = True  # published, as the seed's content is; pass live=False for a draft
    slug = factory.Sequence(lambda n: f"question_{n}")
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    kind = QuestionKind.SINGLE
    sort_order = factory.Sequence(lambda n: n)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option
        django_get_or_create = ["question", "slug"]
        skip_postgeneration_save = True

    live = True  # published, as the seed's content is; pass live=False for a draft
    question = factory.SubFactory(QuestionFactory)
    slug = factory.Sequence(lambda n: f"option_{n}")
    label = factory.Sequence(lambda n: f"Option {n}")
    sort_order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def scenarios(self, create, extracted, **kwargs):
        if create and extracted:
            # A ParentalManyToManyField keeps the set in memory until the option is saved.
            self.scenarios.set(extracted)
            self.save()


class OptionWeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionWeight

    option = factory.SubFactory(OptionFactory)
    aspect = factory.SubFactory(AspectFactory)
    weight = 2


class FrameworkFactsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkFacts

    framework = factory.SubFactory(FrameworkFactory)
    package = factory.LazyAttribute(lambda facts: facts.framework.package or facts.framework.slug)
    latest_version = "2.1.0"
    latest_release_date = datetime.date(2026, 10, 1)
    first_release_date = datetime.date(2019, 5, 1)
    requires_python = ">=3.10"
    python_versions = ["3.10", "3.11", "3.12", "3.13"]
    license = "MIT"
    fetched_at = factory.LazyFunction(timezone.now)


class AdvisoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisory

    facts = factory.SubFactory(FrameworkFactsFactory)
    advisory_id = factory.Sequence(lambda n: f"PYSEC-2099-{n}")
    summary = "A crafted request can exhaust memory."
    fixed_in = ["2.1.1"]
    url = factory.LazyAttribute(lambda a: f"https://osv.dev/vulnerability/{a.advisory_id}")


class ReleaseLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseLine

    framework = factory.SubFactory(FrameworkFactory)
    version = "2.1"
    lts = True
    released_on = datetime.date(2026, 10, 1)
    end_of_support = datetime.date(2029, 10, 31)
    source = "https://example.com/releases/"
    sort_order = factory.Sequence(lambda n: n)


def grow_matrix(frameworks: int, aspects: int) -> None:
    """Add frameworks and aspects until there are at least that many, every cell rated."""
    for _ in range(max(0, aspects - Aspect.objects.count())):
        AspectFactory(in_overview=True)
    for _ in range(max(0, frameworks - Framework.objects.count())):
        framework = FrameworkFactory()
        ScenarioFactory(framework=framework)
        # Release facts too, so that pages showing them prove they read them in constant queries.
        AdvisoryFactory(facts=FrameworkFactsFactory(framework=framework))
        ReleaseLineFactory(framework=framework)
    existing = set(Rating.objects.values_list("framework_id", "aspect_id"))
    Rating.objects.bulk_create(
        Rating(
            framework=framework,
            aspect=aspect,
            score=None if aspect.kind == AspectKind.TEXT else 5,
            label="Rated",
        )
        for framework in Framework.objects.all()
        for aspect in Aspect.objects.all()
        if (framework.pk, aspect.pk) not in existing
    )


def release_lines_form(framework=None) -> dict:
    """The release-line inline of a framework's admin form as a browser posts it: its lines unchanged."""
    lines = list(framework.release_lines.all()) if framework is not None and framework.pk else []
    data = {
        "release_lines-TOTAL_FORMS": str(len(lines)),
        "release_lines-INITIAL_FORMS": str(len(lines)),
        "release_lines-MIN_NUM_FORMS": "0",
        "release_lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        prefix = f"release_lines-{index}-"
        data.update(
            {
                prefix + "id": str(line.pk),
                prefix + "version": line.version,
                prefix + "released_on": line.released_on.isoformat() if line.released_on else "",
                prefix + "end_of_support": line.end_of_support.isoformat() if line.end_of_support else "",
                prefix + "source": line.source,
                prefix + "ORDER": str(index + 1),
                prefix + "DELETE": "",
                **({prefix + "lts": "on"} if line.lts else {}),
            }
        )
    return data
