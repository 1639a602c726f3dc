import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from wagtail.models import Page, PageViewRestriction

from comparisons.models import AspectKind, Framework, Question
from comparisons.tests.factories import (
    AspectFactory,
    FrameworkFactory,
    OptionFactory,
    OptionWeightFactory,
    QuestionFactory,
    RatingFactory,
    ScenarioFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("score", [-1, 6, 99])
def test_score_outside_zero_to_five_is_invalid(score):
    rating = RatingFactory.build(framework=FrameworkFactory(), aspect=AspectFactory(), score=score)
    with pytest.raises(ValidationError) as error:
        rating.full_clean()
    assert "score" in error.value.message_dict


def test_scored_aspect_needs_a_score():
    rating = RatingFactory.build(framework=FrameworkFactory(), aspect=AspectFactory(), score=None)
    with pytest.raises(ValidationError, match="give a score"):
        rating.full_clean()


def test_text_aspect_takes_no_score():
    aspect = AspectFactory(kind=AspectKind.TEXT)
    rating = RatingFactory.build(framework=FrameworkFactory(), aspect=aspect, score=3)
    with pytest.raises(ValidationError, match="take no score"):
        rating.full_clean()
    rating.score = None
    rating.full_clean()


@pytest.mark.parametrize(("score", "valid"), [(0, True), (5, True), (3, False), (None, False)])
def test_yes_no_aspect_takes_zero_or_five(score, valid):
    aspect = AspectFactory(kind=AspectKind.BOOLEAN)
    rating = RatingFactory.build(framework=FrameworkFactory(), aspect=aspect, score=score)
    if valid:
        rating.full_clean()
    else:
        with pytest.raises(ValidationError, match="yes/no"):
            rating.full_clean()


def test_anchor_without_source_page_is_invalid():
    rating = RatingFactory.build(
        framework=FrameworkFactory(), aspect=AspectFactory(), source_anchor="strengths"
    )
    with pytest.raises(ValidationError) as error:
        rating.full_clean()
    assert "source_anchor" in error.value.message_dict


def test_one_rating_per_framework_and_aspect():
    rating = RatingFactory()
    duplicate = RatingFactory.build(framework=rating.framework, aspect=rating.aspect)
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize("slug", ["Has Spaces", "ünï", "a/b", ""])
def test_bad_framework_slug_is_invalid(slug):
    framework = FrameworkFactory.build(slug=slug)
    with pytest.raises(ValidationError) as error:
        framework.full_clean()
    assert "slug" in error.value.message_dict


def test_with_ratings_fetches_every_rating_in_two_queries(empty_content, django_assert_num_queries):
    for framework in FrameworkFactory.create_batch(3):
        for aspect in AspectFactory.create_batch(2):
            RatingFactory(framework=framework, aspect=aspect)
    with django_assert_num_queries(2):
        frameworks = list(Framework.objects.with_ratings())
        cells = [(r.aspect.slug, r.score) for f in frameworks for r in f.ratings.all()]
    assert len(cells) == 6


def test_weight_on_a_text_aspect_is_invalid():
    weight = OptionWeightFactory.build(option=OptionFactory(), aspect=AspectFactory(kind=AspectKind.TEXT))
    with pytest.raises(ValidationError, match="no score to weigh"):
        weight.full_clean()


def test_with_options_fetches_options_weights_and_scenarios_in_four_queries(
    empty_content, django_assert_num_queries
):
    scenario = ScenarioFactory()
    for question in QuestionFactory.create_batch(2):
        for option in OptionFactory.create_batch(3, question=question, scenarios=[scenario]):
            OptionWeightFactory(option=option)
    with django_assert_num_queries(4):
        cells = [
            (w.aspect.slug, s.slug)
            for q in Question.objects.with_options()
            for o in q.options.all()
            for w in o.weights.all()
            for s in o.scenarios.all()
        ]
    assert len(cells) == 6


def test_guide_urls_name_only_live_public_guide_pages(seeded):
    def linked():
        urls = Framework.objects.guide_urls()
        return {f.slug: urls[f.pk] for f in Framework.objects.all() if f.pk in urls}

    assert {slug: url.rsplit("/guide/", 1)[-1] for slug, url in linked().items()} == {
        "flask": "flask/",
        "django": "django/",
        "fastapi": "fastapi/",
        "quart": "quart/",
        "litestar": "litestar/",
    }

    Page.objects.get(slug="flask").specific.unpublish()
    PageViewRestriction.objects.create(page=Page.objects.get(slug="django"), restriction_type="login")

    assert set(linked()) == {"fastapi", "quart", "litestar"}
