"""Editors change the matrix through the Wagtail admin's snippet forms."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from comparisons.models import Framework, Rating
from comparisons.tests.factories import release_lines_form

pytestmark = pytest.mark.django_db


def framework_form(framework, **rating_changes):
    """POST data for the framework edit form, with changes to the rating of one aspect."""
    ratings = []
    for rating in framework.ratings.select_related("aspect"):
        row = {
            "id": rating.pk,
            "aspect": rating.aspect_id,
            "score": "" if rating.score is None else rating.score,
            "label": rating.label,
            "note": rating.note,
            "source_page": rating.source_page_id or "",
            "source_anchor": rating.source_anchor,
        }
        row.update(rating_changes.get(rating.aspect.slug, {}))
        ratings.append(row)
    form = nested_form_data(
        {
            "name": framework.name,
            "slug": framework.slug,
            "kind": framework.kind,
            "summary": framework.summary,
            "colour": framework.colour,
            "tagline": framework.tagline,
            "website": framework.website,
            "docs_url": framework.docs_url,
            "guide_page": framework.guide_page_id or "",
            "ratings": inline_formset(ratings, initial=len(ratings)),
            # Publish, as an editor finishing a change does; saving alone keeps a draft (test_drafts.py).
            "action-publish": "action-publish",
        }
    )
    return {**form, **release_lines_form(framework)}


def edit_url(framework):
    return reverse("wagtailsnippets_comparisons_framework:edit", args=[framework.pk])


def test_editor_changes_a_rating_and_compare_shows_it(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")
    data = framework_form(
        django, performance={"score": 4, "label": "Faster than it was", "note": "Measured again."}
    )

    response = client.post(edit_url(django), data)

    assert response.status_code == 302, response.context["form"].errors
    rating = Rating.objects.get(framework=django, aspect__slug="performance")
    assert (rating.score, rating.label) == (4, "Faster than it was")
    page = client.get(reverse("comparisons:compare")).content.decode()
    assert "Faster than it was" in page
    entries = ModelLogEntry.objects.filter(object_id=str(django.pk))
    entry = entries.filter(action="wagtail.edit").latest("timestamp")
    assert entry.user == editor
    assert entry.action == "wagtail.edit"
    published = entries.latest("timestamp")
    assert (published.user, published.action) == (editor, "wagtail.publish")


def test_out_of_range_score_is_a_form_error(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")

    response = client.post(edit_url(django), framework_form(django, performance={"score": 9}))

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 5." in response.content.decode()
    assert Rating.objects.get(framework=django, aspect__slug="performance").score == 2


def test_yes_no_aspect_with_a_middle_score_is_a_form_error(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")

    response = client.post(edit_url(django), framework_form(django, admin={"score": 3}))

    assert response.status_code == 200
    assert "is yes/no" in response.content.decode()


def test_duplicate_aspect_in_one_framework_is_a_form_error(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")
    admin_aspect = Rating.objects.get(framework=django, aspect__slug="admin").aspect_id

    response = client.post(edit_url(django), framework_form(django, orm={"aspect": admin_aspect}))

    assert response.status_code == 200
    assert "Please correct the duplicate" in response.content.decode()


def test_bad_slug_is_a_form_error(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")
    data = framework_form(django)
    data["slug"] = "not a slug!"

    response = client.post(edit_url(django), data)

    assert response.status_code == 200
    assert Framework.objects.filter(slug="django").exists()


def test_editor_adds_and_deletes_a_scenario(client, editor, seeded):
    client.force_login(editor)
    fastapi = Framework.objects.get(slug="fastapi")
    response = client.post(
        reverse("wagtailsnippets_comparisons_scenario:add"),
        {
            "situation": "Streaming LLM tokens to a browser",
            "slug": "llm-streaming",
            "framework": fastapi.pk,
            "companion": "",
            "rationale": "Async streaming responses are native.",
            "in_cheat_sheet": "on",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302
    assert "Streaming LLM tokens" in client.get(reverse("comparisons:scenarios")).content.decode()
    assert "Streaming LLM tokens" in client.get("/").content.decode()

    scenario = fastapi.scenarios.get(slug="llm-streaming")
    # Follow the redirect as a browser would, so the admin shows (and consumes) its message.
    response = client.post(
        reverse("wagtailsnippets_comparisons_scenario:delete", args=[scenario.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Streaming LLM tokens" not in client.get(reverse("comparisons:scenarios")).content.decode()


def test_editor_cannot_use_the_django_admin(client, editor):
    client.force_login(editor)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


def test_superuser_can_use_the_django_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/django-admin/").status_code == 200


def test_reader_cannot_reach_the_matrix_editor(client, user, seeded):
    client.force_login(user)
    django = Framework.objects.get(slug="django")
    response = client.get(edit_url(django))
    assert response.status_code in (302, 403)


def test_editor_points_a_framework_at_another_guide_page(client, editor, seeded):
    client.force_login(editor)
    flask = Framework.objects.get(slug="flask")
    topic = Page.objects.get(slug="learning-curve")
    assert 'name="guide_page"' in client.get(edit_url(flask)).content.decode()
    data = framework_form(flask)
    data["guide_page"] = topic.pk

    response = client.post(edit_url(flask), data)

    assert response.status_code == 302, response.context["form"].errors
    flask.refresh_from_db()
    assert flask.guide_page_id == topic.pk
    scenarios = client.get(reverse("comparisons:scenarios")).content.decode()
    assert f'<a href="{topic.url}">Flask</a>' in scenarios


def test_editor_cannot_save_a_colour_too_faint_for_text(client, editor, seeded):
    client.force_login(editor)
    flask = Framework.objects.get(slug="flask")
    data = framework_form(flask)
    data["colour"] = "#009688"

    response = client.post(edit_url(flask), data)

    assert response.status_code == 200
    messages = response.context["form"].errors["colour"]
    assert "3.67:1 against white" in messages[0]
    assert "against the page's shaded panels" in messages[1]
    flask.refresh_from_db()
    assert flask.colour == "#2f3a45"


def test_editor_names_alternatives_on_a_scenario_and_the_page_shows_them(client, editor, seeded):
    client.force_login(editor)
    fastapi, flask = Framework.objects.get(slug="fastapi"), Framework.objects.get(slug="flask")
    response = client.post(
        reverse("wagtailsnippets_comparisons_scenario:add"),
        {
            "situation": "Streaming LLM tokens to a browser",
            "slug": "llm-streaming",
            "framework": fastapi.pk,
            "alternatives": [flask.pk],
            "companion": "",
            "rationale": "Async streaming responses are native.",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    scenario = fastapi.scenarios.get(slug="llm-streaming")
    assert list(scenario.alternatives.all()) == [flask]
    assert scenario.revisions.exists()
    page = client.get(reverse("comparisons:scenarios")).content.decode()
    row = page[page.index('id="llm-streaming"') :]
    assert "also a fit:" in row[: row.index("</li>")]
