"""Adding a framework in one screen: the rating grid of the framework snippet form."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from comparisons import forms as grid_forms
from comparisons.models import Aspect, AspectKind, Framework, Rating
from comparisons.tests.factories import AspectFactory, release_lines_form

pytestmark = pytest.mark.django_db

ADD_URL = "wagtailsnippets_comparisons_framework:add"
KIND_LABELS = {
    AspectKind.SCORED: "Scored 0–5",
    AspectKind.BOOLEAN: "Yes / no",
    AspectKind.TEXT: "Text only",
}


def filled_row(aspect):
    """What an editor types into the row of one aspect, valid for its kind."""
    score = {AspectKind.SCORED: 3, AspectKind.BOOLEAN: 5, AspectKind.TEXT: ""}[aspect.kind]
    return {
        "aspect": aspect.pk,
        "score": score,
        "label": f"Label for {aspect.name}",
        "note": "Read in its documentation.",
        "source_page": "",
        "source_anchor": "",
    }


def blank_row(aspect):
    return {"aspect": aspect.pk, "score": "", "label": "", "note": "", "source_page": "", "source_anchor": ""}


def new_framework_form(rows, **fields):
    """POST data of the create form as a browser sends it: every grid row, none of them initial."""
    data = {
        "name": "Sanic",
        "slug": "sanic",
        "kind": "Async framework",
        "summary": "An async web server and framework.",
        "website": "https://example.com/",
        "docs_url": "",
        "guide_page": "",
        "colour": "#6b21a8",
        "ratings": inline_formset(rows, initial=0),
        # The Publish button: a plain Save keeps a draft, with its gaps.
        "action-publish": "action-publish",
        **fields,
    }
    existing = Framework.objects.filter(slug=data["slug"]).first()
    return {**nested_form_data(data), **release_lines_form(existing)}


def row_aspects(html):
    """The aspect ids of the grid's rows, top to bottom, from their hidden inputs."""
    return [int(value) for value in re.findall(r'name="ratings-\d+-aspect" value="(\d+)"', html)]


def test_create_form_has_one_row_per_aspect_named_with_its_kind_in_order(client, editor, seeded):
    client.force_login(editor)

    html = client.get(reverse(ADD_URL)).content.decode()

    aspects = list(Aspect.objects.all())
    assert len(aspects) > 3
    assert row_aspects(html) == [aspect.pk for aspect in aspects]
    positions = [html.index(f'<span class="rating-grid__name">{aspect.name}</span>') for aspect in aspects]
    assert positions == sorted(positions)
    for aspect in aspects:
        row = html[html.index(f'data-aspect="{aspect.slug}"') :]
        row = row[: row.index("</tr>")]
        assert f'<span class="rating-grid__kind">{KIND_LABELS[aspect.kind]}</span>' in row
        assert re.search(r'<input type="hidden" name="ratings-\d+-aspect"', row)
    assert f'value="{len(aspects)}" id="id_ratings-TOTAL_FORMS"' in html
    assert 'value="0" id="id_ratings-INITIAL_FORMS"' in html
    # No aspect picker and no numbered rating cards.
    assert not re.search(r'<select name="ratings-\d+-aspect"', html)
    assert "Rating 1" not in html
    assert "id_ratings-ADD" not in html


def test_rows_take_the_input_of_their_aspect_kind(client, editor, seeded):
    client.force_login(editor)
    html = client.get(reverse(ADD_URL)).content.decode()
    yes_no = Aspect.objects.filter(kind=AspectKind.BOOLEAN).first()
    text = Aspect.objects.filter(kind=AspectKind.TEXT).first()
    assert yes_no and text

    yes_no_row = html[html.index(f'data-aspect="{yes_no.slug}"') :]
    yes_no_row = yes_no_row[: yes_no_row.index("</tr>")]
    assert re.search(r'<select name="ratings-\d+-score"', yes_no_row)
    assert '<option value="5">Yes</option>' in yes_no_row
    text_row = html[html.index(f'data-aspect="{text.slug}"') :]
    text_row = text_row[: text_row.index("</tr>")]
    assert re.search(r'<input type="hidden" name="ratings-\d+-score"', text_row)
    assert "no score" in text_row


def test_saving_every_row_creates_the_framework_and_its_ratings(client, editor, seeded):
    client.force_login(editor)
    aspects = list(Aspect.objects.all())

    response = client.post(reverse(ADD_URL), new_framework_form([filled_row(a) for a in aspects]))

    assert response.status_code == 302, response.context["form"].formsets["ratings"].errors
    sanic = Framework.objects.get(slug="sanic")
    ratings = {r.aspect_id: r for r in Rating.objects.filter(framework=sanic)}
    assert set(ratings) == {aspect.pk for aspect in aspects}
    orm = Aspect.objects.get(slug="orm")
    assert ratings[orm.pk].label == f"Label for {orm.name}"
    performance = Aspect.objects.get(slug="performance")
    assert ratings[performance.pk].score == 3


def test_publishing_with_unrated_aspects_is_a_form_error_naming_them(client, editor, seeded):
    client.force_login(editor)
    aspects = list(Aspect.objects.all())
    left_out = aspects[1], aspects[-1]
    rows = [blank_row(a) if a in left_out else filled_row(a) for a in aspects]

    response = client.post(reverse(ADD_URL), new_framework_form(rows))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].formsets["ratings"].non_form_errors())
    assert f"Not rated yet: {left_out[0].name}, {left_out[1].name}." in errors
    html = response.content.decode()
    assert "Rate every aspect before publishing" in html
    assert html.count("Needs a rating to publish") == 2
    assert not Framework.objects.filter(slug="sanic").exists()
    # The editor's typing is kept, row by row.
    assert f"Label for {aspects[0].name}" in html


def test_clearing_an_existing_rating_is_refused_on_publish(client, editor, seeded):
    client.force_login(editor)
    django = Framework.objects.get(slug="django")
    ratings = list(django.ratings.select_related("aspect"))
    rows = [
        {"id": r.pk, **(blank_row(r.aspect) if r.aspect.slug == "orm" else filled_row(r.aspect))}
        for r in ratings
    ]
    data = new_framework_form(rows, name=django.name, slug=django.slug)
    data["ratings-INITIAL_FORMS"] = str(len(rows))

    response = client.post(reverse("wagtailsnippets_comparisons_framework:edit", args=[django.pk]), data)

    assert response.status_code == 200
    orm = Aspect.objects.get(slug="orm")
    assert f"Not rated yet: {orm.name}." in response.content.decode()
    assert Rating.objects.filter(framework=django, aspect__slug="orm").exists()


def test_edit_form_shows_ratings_in_aspect_order_and_an_empty_row_for_a_new_aspect(client, editor, seeded):
    client.force_login(editor)
    first = Aspect.objects.first()
    first.sort_order = 9_999
    first.save()
    new = AspectFactory(name="Streaming", slug="streaming", sort_order=500)
    flask = Framework.objects.get(slug="flask")

    html = client.get(reverse("wagtailsnippets_comparisons_framework:edit", args=[flask.pk])).content.decode()

    assert row_aspects(html) == list(Aspect.objects.values_list("pk", flat=True))
    assert row_aspects(html)[-2:] == [new.pk, first.pk]
    rated = flask.ratings.count()
    assert f'value="{rated}" id="id_ratings-INITIAL_FORMS"' in html
    assert f'value="{rated + 1}" id="id_ratings-TOTAL_FORMS"' in html


def test_an_untouched_row_for_a_new_aspect_blocks_publishing_and_is_not_stored(client, editor, seeded):
    client.force_login(editor)
    new = AspectFactory(name="Streaming", slug="streaming", sort_order=500)
    flask = Framework.objects.get(slug="flask")
    rows = [{"id": r.pk, **filled_row(r.aspect)} for r in flask.ratings.select_related("aspect")]
    data = new_framework_form([*rows, blank_row(new)], name=flask.name, slug=flask.slug)
    data["ratings-INITIAL_FORMS"] = str(len(rows))
    url = reverse("wagtailsnippets_comparisons_framework:edit", args=[flask.pk])

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Not rated yet: Streaming." in response.content.decode()
    assert not Rating.objects.filter(aspect=new).exists()

    data[f"ratings-{len(rows)}-score"] = "4"
    data[f"ratings-{len(rows)}-label"] = "Streams well"
    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].formsets["ratings"].errors
    assert Rating.objects.get(framework=flask, aspect=new).label == "Streams well"


def test_rows_left_empty_are_not_stored_when_the_save_does_not_publish(client, editor, seeded):
    client.force_login(editor)
    aspects = list(Aspect.objects.all())
    rows = [filled_row(aspects[0]), *(blank_row(a) for a in aspects[1:])]
    draft = new_framework_form(rows)
    del draft["action-publish"]  # Save draft

    response = client.post(reverse(ADD_URL), draft)

    assert response.status_code == 302, response.context["form"].formsets["ratings"].errors
    sanic = Framework.objects.get(slug="sanic")
    assert list(Rating.objects.filter(framework=sanic).values_list("aspect_id", flat=True)) == [aspects[0].pk]

    response = client.post(
        reverse(ADD_URL), new_framework_form(rows, slug="sanic-2", **{"action-publish": "1"})
    )
    assert response.status_code == 200
    assert "Rate every aspect before publishing" in response.content.decode()


def test_a_draft_with_gaps_is_saved_without_its_empty_rows(client, editor, seeded):
    client.force_login(editor)
    aspects = list(Aspect.objects.all())
    rows = [filled_row(aspects[0]), *(blank_row(a) for a in aspects[1:])]
    draft = new_framework_form(rows)
    del draft["action-publish"]

    response = client.post(reverse(ADD_URL), draft)

    assert response.status_code == 302
    sanic = Framework.objects.get(slug="sanic")
    assert not sanic.live
    assert sanic.ratings.count() == 1


def test_score_rules_per_kind_still_apply_in_the_grid(client, editor, seeded):
    client.force_login(editor)
    aspects = list(Aspect.objects.all())
    yes_no = next(a for a in aspects if a.kind == AspectKind.BOOLEAN)
    rows = [{**filled_row(a), "score": 3} if a == yes_no else filled_row(a) for a in aspects]

    response = client.post(reverse(ADD_URL), new_framework_form(rows))

    assert response.status_code == 200
    assert f"“{yes_no.name}” is yes/no" in response.content.decode()
    assert not Framework.objects.filter(slug="sanic").exists()


def test_publish_request_detection():
    assert grid_forms.is_publish_request({"action-publish": "action-publish"}, Page)
    assert not grid_forms.is_publish_request({}, Page)
    # A model without drafts goes live on every save.
    assert grid_forms.is_publish_request({}, Rating)


def test_publishing_a_new_aspect_names_the_frameworks_without_a_rating(client, editor, seeded):
    client.force_login(editor)

    response = client.post(
        reverse("wagtailsnippets_comparisons_aspect:add"),
        {
            "name": "Streaming",
            "slug": "streaming",
            "kind": AspectKind.SCORED,
            "description": "Server-sent events and streamed responses.",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302
    assert Aspect.objects.filter(slug="streaming").exists()
    notices = [str(m) for m in get_messages(response.wsgi_request)]
    warning = next(m for m in notices if "No rating for “Streaming” yet" in m)
    names = list(Framework.objects.values_list("name", flat=True))
    assert len(names) >= 3
    for name in names:
        assert name in warning


def test_the_message_leaves_out_frameworks_that_rate_the_aspect(client, editor, seeded):
    client.force_login(editor)
    orm = Aspect.objects.get(slug="orm")
    form = {
        "name": orm.name,
        "slug": orm.slug,
        "kind": orm.kind,
        "description": orm.description,
        "action-publish": "action-publish",
    }
    if orm.in_overview:
        form["in_overview"] = "on"
    response = client.post(reverse("wagtailsnippets_comparisons_aspect:edit", args=[orm.pk]), form)
    assert response.status_code == 302
    assert not [m for m in get_messages(response.wsgi_request) if "No rating for" in str(m)]

    flask = Framework.objects.get(slug="flask")
    Rating.objects.filter(framework=flask, aspect=orm).delete()
    response = client.post(reverse("wagtailsnippets_comparisons_aspect:edit", args=[orm.pk]), form)
    warning = next(str(m) for m in get_messages(response.wsgi_request) if "No rating for" in str(m))
    assert "Flask" in warning
    assert "Django" not in warning


def test_comparing_two_revisions_shows_a_changed_rating(client, editor, seeded):
    client.force_login(editor)
    flask = Framework.objects.get(slug="flask")
    url = reverse("wagtailsnippets_comparisons_framework:edit", args=[flask.pk])
    ratings = list(flask.ratings.select_related("aspect"))
    for label in ("Before the change", "After the change"):
        rows = [{"id": r.pk, **filled_row(r.aspect), "label": label} for r in ratings]
        data = new_framework_form(rows, name=flask.name, slug=flask.slug)
        data["ratings-INITIAL_FORMS"] = str(len(rows))
        assert client.post(url, data).status_code == 302
    first, second = flask.revisions.order_by("-created_at", "-pk")[:2][::-1]

    response = client.get(
        reverse(
            "wagtailsnippets_comparisons_framework:revisions_compare",
            args=[flask.pk, first.pk, second.pk],
        )
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="deletion">Before</span><span class="addition">After</span> the change' in html
