"""A changed rating is remembered, and guide text still quoting its old label is reported."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from comparisons.models import ChangeKind, Framework, Rating, RatingChange
from comparisons.reports import stale_quotes
from comparisons.tests.test_admin import edit_url, framework_form
from portal.tests.helpers import publish_guide_page as publish_page

pytestmark = pytest.mark.django_db


def paragraph(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def publish_guide_page(slug, body):
    return publish_page(slug, body, title=f"About {slug}", summary="Quotes ratings.")


def relabel(framework, aspect, label, score):
    rating = Rating.objects.get(framework__slug=framework, aspect__slug=aspect)
    rating.label, rating.score = label, score
    rating.save()
    return rating


def test_saving_a_new_label_or_score_records_the_old_one(seeded):
    relabel("flask", "learning_curve", "Gentle", 4)

    change = RatingChange.objects.get(kind=ChangeKind.CHANGED)
    assert (change.framework.slug, change.aspect.slug) == ("flask", "learning_curve")
    assert (change.old_label, change.old_score, change.new_label, change.new_score) == (
        "Easy",
        5,
        "Gentle",
        4,
    )


def test_saving_an_unchanged_rating_records_nothing_and_a_new_one_no_old_label(seeded):
    before = RatingChange.objects.count()
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="learning_curve")
    rating.save()
    assert RatingChange.objects.count() == before

    aspect = rating.aspect
    rating.delete()
    Rating.objects.create(framework=rating.framework, aspect=aspect, score=1, label="Hard")

    kinds = list(RatingChange.objects.order_by("-pk").values_list("kind", flat=True)[:2])
    assert kinds == [ChangeKind.ADDED, ChangeKind.REMOVED]
    assert not RatingChange.objects.filter(kind=ChangeKind.CHANGED).exists()
    assert stale_quotes() == []


def test_text_that_states_the_old_label_next_to_the_framework_is_stale(seeded):
    page = publish_guide_page(
        "curves",
        [
            paragraph("Learning Flask is easy. Rust is easy too, they say."),
            paragraph("Django is easy once it clicks."),
        ],
    )
    relabel("flask", "learning_curve", "Gentle", 4)

    quotes = [q for q in stale_quotes() if q.page.pk == page.pk]

    assert [(q.framework.slug, q.aspect.slug, q.old_label, q.new_label, q.excerpt) for q in quotes] == [
        ("flask", "learning_curve", "Easy", "Gentle", "Learning Flask is easy.")
    ]


def test_a_label_with_a_parenthesis_is_also_found_by_its_head(seeded):
    page = publish_guide_page("speed", [paragraph("FastAPI's speed is excellent in benchmarks.")])
    relabel("fastapi", "performance", "Very fast", 5)

    assert [q.page.pk for q in stale_quotes()] == [page.pk]


def test_on_its_own_guide_page_naming_the_aspect_is_enough(seeded):
    flask = Framework.objects.get(slug="flask")
    page = publish_guide_page("own", [paragraph("Its learning curve is easy.")])
    relabel("flask", "learning_curve", "Gentle", 4)
    assert stale_quotes() == []

    flask.guide_page = page
    flask.save()

    assert [q.page.pk for q in stale_quotes(framework=flask)] == [page.pk]


def test_rating_blocks_and_labels_changed_back_are_not_stale(seeded):
    flask = Framework.objects.get(slug="flask")
    publish_guide_page(
        "blocks",
        [
            {
                "type": "rating",
                "value": {
                    "framework": flask.pk,
                    "aspect": Rating.objects.get(framework=flask, aspect__slug="learning_curve").aspect_id,
                    "note": "",
                },
            }
        ],
    )
    relabel("flask", "learning_curve", "Gentle", 4)
    assert stale_quotes() == []

    publish_guide_page("text", [paragraph("Flask: Easy.")])
    assert len(stale_quotes()) == 1
    relabel("flask", "learning_curve", "Easy", 5)
    assert stale_quotes() == []


def test_the_report_lists_page_framework_aspect_and_both_labels(client, editor, seeded):
    publish_guide_page("report", [paragraph("Flask is easy to learn.")])
    relabel("flask", "learning_curve", "Gentle", 4)
    client.force_login(editor)

    response = client.get(reverse("stale_rating_quotes"))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Stale rating quotes", "About report", "Flask", "Learning curve", "Easy", "Gentle"):
        assert text in html
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("stale_rating_quotes") in menu


def test_readers_cannot_open_the_report(client, user, seeded):
    client.force_login(user)
    assert client.get(reverse("stale_rating_quotes")).status_code in (302, 403)


def test_saving_a_rating_change_in_the_admin_warns_about_stale_text(client, editor, seeded):
    publish_guide_page("notice", [paragraph("Flask is easy to learn.")])
    client.force_login(editor)
    flask = Framework.objects.get(slug="flask")

    response = client.post(
        edit_url(flask), framework_form(flask, learning_curve={"label": "Gentle", "score": 4})
    )

    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "“About notice” says “Easy” for Learning curve, now “Gentle”" in warnings[0]


def test_saving_without_stale_text_adds_no_warning(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")

    response = client.post(edit_url(django), framework_form(django, performance={"label": "Fair"}))

    assert response.status_code == 302
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
