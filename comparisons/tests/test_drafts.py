"""Drafts stay drafts: only Publish changes what readers, the chooser, the API and exports see.

Changes go through the admin's real snippet views, autosave included (the same
add and edit URLs, posted with `Accept: application/json`).
"""

import datetime
import io
import json
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow, WorkflowContentType

from comparisons.matrix_io import matrix_export, matrix_import
from comparisons.models import Aspect, Companion, Framework, Option, Question, Rating, Scenario
from comparisons.snapshot import get_snapshot
from comparisons.tests.factories import AspectFactory, FrameworkFactory, ScenarioFactory
from comparisons.tests.test_admin import framework_form
from core.content_version import content_version
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db

DRAFT_NAME = "Draftwork"
DRAFT_SUMMARY = "WIP – not reviewed yet"
AUTOSAVE = {"HTTP_ACCEPT": "application/json"}


def url(model, view, *args):
    return reverse(f"wagtailsnippets_comparisons_{model}:{view}", args=args)


def new_framework_form(saved=None, **extra):
    """The add form as an editor half fills it: a summary to rewrite and one rating labelled TODO.

    With `saved` (the framework once autosaved), the edit form of the same content.
    """
    performance = Aspect.objects.get(slug="performance")
    rating = saved.ratings.get() if saved is not None else None
    data = {
        "name": DRAFT_NAME,
        "slug": "draftwork",
        "kind": "Micro-framework",
        "summary": DRAFT_SUMMARY,
        "website": "",
        "docs_url": "",
        "guide_page": "",
        "colour": "#6b21a8",
        "ratings-TOTAL_FORMS": "1",
        "ratings-INITIAL_FORMS": "1" if rating else "0",
        "ratings-MIN_NUM_FORMS": "0",
        "ratings-MAX_NUM_FORMS": "1000",
        "ratings-0-id": str(rating.pk) if rating else "",
        "ratings-0-aspect": str(performance.pk),
        "ratings-0-score": "5",
        "ratings-0-label": "TODO",
        "ratings-0-note": "",
        "ratings-0-source_page": "",
        "ratings-0-source_anchor": "",
        "ratings-0-ORDER": "1",
        "ratings-0-DELETE": "",
    }
    data.update(extra)
    return data


def every_aspect_rated(data: dict) -> dict:
    """The same form with a row for every other aspect too: Publish refuses gaps."""
    rows = int(data["ratings-TOTAL_FORMS"])
    for aspect in Aspect.objects.exclude(slug="performance"):
        prefix = f"ratings-{rows}-"
        score = "" if aspect.kind == "text" else ("5" if aspect.kind == "boolean" else "3")
        data.update(
            {
                prefix + "id": "",
                prefix + "aspect": str(aspect.pk),
                prefix + "score": score,
                prefix + "label": "Rated",
                prefix + "note": "",
                prefix + "source_page": "",
                prefix + "source_anchor": "",
                prefix + "ORDER": str(rows + 1),
                prefix + "DELETE": "",
            }
        )
        rows += 1
    data["ratings-TOTAL_FORMS"] = str(rows)
    return data


def draft_form(framework, **rating_changes):
    data = framework_form(framework, **rating_changes)
    data.pop("action-publish")
    return data


def public_text(client) -> str:
    """What readers, the chooser, the API, search and the sitemap show, as one text."""
    pages = [
        "/",
        reverse("comparisons:compare"),
        reverse("comparisons:scenarios"),
        reverse("comparisons:chooser") + "?project=ml&io=heavy",
        reverse("api:framework-list"),
        reverse("api:aspect-list"),
        reverse("api:scenario-list"),
        reverse("api:question-list"),
        reverse("api:matrix"),
        # Words of the drafts' kind and summary, so the echoed query is not mistaken for a leak.
        reverse("search") + "?q=micro",
        reverse("search") + "?q=reviewed",
        reverse("sitemap"),
    ]
    client.logout()
    texts = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        texts.append(f"<!-- {page} -->" + response.content.decode())
    answer = client.post(
        reverse("api:recommendations"),
        {"answers": {"project": "ml", "io": "heavy"}},
        content_type="application/json",
    )
    assert answer.status_code == 200
    texts.append(answer.content.decode())
    out = io.StringIO()
    call_command("export_matrix", stdout=out)
    texts.append(out.getvalue())
    # Forms carry a fresh CSRF token on every request; nothing else may differ.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", "\n".join(texts))


def test_autosaved_and_saved_new_framework_is_visible_nowhere_public(client, editor, seeded):
    client.force_login(editor)
    version = content_version()

    autosave = client.post(url("framework", "add"), new_framework_form(), **AUTOSAVE)
    assert autosave.status_code == 200, autosave.content.decode()[:500]
    assert autosave.json()["success"] is True
    draft = Framework.objects.get(slug="draftwork")
    assert (draft.live, draft.ratings.get().label) == (False, "TODO")
    client.force_login(editor)
    saved = client.post(
        url("framework", "edit", draft.pk),
        new_framework_form(draft, summary=DRAFT_SUMMARY + " still"),
    )
    assert saved.status_code == 302

    assert content_version() == version
    text = public_text(client)
    for needle in (DRAFT_NAME, "draftwork", "WIP", "TODO"):
        assert needle not in text, needle
    assert "draftwork" not in {f.slug for f in get_snapshot().frameworks}


def test_publishing_a_new_framework_shows_it_everywhere_at_once(client, editor, seeded):
    client.force_login(editor)
    client.post(url("framework", "add"), new_framework_form(), **AUTOSAVE)
    draft = Framework.objects.get(slug="draftwork")
    assert DRAFT_NAME not in public_text(client)
    version = content_version()

    client.force_login(editor)
    response = client.post(
        url("framework", "edit", draft.pk),
        every_aspect_rated(new_framework_form(draft, **{"action-publish": "action-publish"})),
    )

    assert response.status_code == 302
    assert content_version() != version
    draft.refresh_from_db()
    assert draft.live and not draft.has_unpublished_changes
    text = public_text(client)
    assert text.count(DRAFT_NAME) >= 8
    assert "draftwork" in {f.slug for f in get_snapshot().frameworks}


def test_unpublished_change_to_a_published_framework_is_visible_nowhere_public(client, editor, seeded):
    django = Framework.objects.get(slug="django")
    client.force_login(editor)
    before = public_text(client)
    version = content_version()

    client.force_login(editor)
    data = draft_form(django, performance={"score": 5, "label": "Suddenly blazing"})
    data["summary"] = DRAFT_SUMMARY
    autosave = client.post(url("framework", "edit", django.pk), data, **AUTOSAVE)
    assert autosave.status_code == 200 and autosave.json()["success"] is True
    client.force_login(editor)
    assert client.post(url("framework", "edit", django.pk), data).status_code == 302

    django.refresh_from_db()
    assert (django.live, django.has_unpublished_changes) == (True, True)
    assert django.summary != DRAFT_SUMMARY
    assert Rating.objects.get(framework=django, aspect__slug="performance").label != "Suddenly blazing"
    assert content_version() == version
    after = public_text(client)
    assert "Suddenly blazing" not in after and "WIP" not in after
    assert after == before

    client.force_login(editor)
    data["action-publish"] = "action-publish"
    assert client.post(url("framework", "edit", django.pk), data).status_code == 302
    assert content_version() != version
    published = public_text(client)
    assert "Suddenly blazing" in published and DRAFT_SUMMARY in published


def test_a_draft_rating_change_is_not_drift_until_it_is_published(client, editor, user, seeded):
    decision = make_decision(user, answers={"project": ["web_app"], "team": ["small_fast"]})
    assert decision.recommended == "django"
    django = Framework.objects.get(slug="django")
    zeroed = {aspect: {"score": 0} for aspect in ("admin", "auth", "orm")}
    client.force_login(editor)
    assert client.post(url("framework", "edit", django.pk), draft_form(django, **zeroed)).status_code == 302

    client.force_login(user)
    assert "Today Stackfit would recommend" not in client.get(decision.get_absolute_url()).content.decode()

    client.force_login(editor)
    assert (
        client.post(url("framework", "edit", django.pk), framework_form(django, **zeroed)).status_code == 302
    )
    client.force_login(user)
    assert "Today Stackfit would recommend Flask" in client.get(decision.get_absolute_url()).content.decode()


def test_unpublishing_takes_a_framework_off_the_site_and_moves_the_version(client, editor, seeded):
    framework = FrameworkFactory(name="Gonework", slug="gonework")
    ScenarioFactory(situation="Only for gonework", slug="only-gonework", framework=framework)
    assert "Gonework" in client.get(reverse("comparisons:compare")).content.decode()
    version = content_version()

    client.force_login(editor)
    response = client.post(url("framework", "unpublish", framework.pk))

    assert response.status_code == 302
    assert content_version() != version
    text = public_text(client)
    assert "Gonework" not in text and "Only for gonework" not in text


def test_draft_aspect_scenario_question_and_option_are_visible_nowhere_public(client, seeded):
    AspectFactory(name="Draft aspect", slug="draft-aspect", live=False, in_overview=True)
    ScenarioFactory(
        situation="Draft situation", slug="draft-situation", live=False, framework=Framework.objects.first()
    )
    question = Question.objects.create(slug="draft-question", prompt="Draft question?", live=False)
    Option.objects.create(question=question, slug="draft-answer", label="Draft answer")
    Option.objects.create(
        question=Question.objects.get(slug="project"), slug="draft-option", label="Draft option", live=False
    )

    text = public_text(client)

    for needle in ("Draft aspect", "draft-aspect", "Draft situation", "Draft question", "Draft answer"):
        assert needle not in text, needle
    assert "draft-option" not in text and "Draft option" not in text
    snapshot = get_snapshot()
    assert "draft-aspect" not in {a.slug for a in snapshot.aspects}
    assert "draft-question" not in {q.slug for q in snapshot.questions}


def test_a_scenario_naming_a_draft_framework_stays_hidden(client, seeded):
    draft = FrameworkFactory(name="Hiddenwork", slug="hiddenwork", live=False)
    ScenarioFactory(situation="Hidden pick", slug="hidden-pick", framework=draft)

    text = public_text(client)

    assert "Hidden pick" not in text and "Hiddenwork" not in text


def test_preview_renders_the_compare_column_and_card_of_the_unsaved_form(client, editor, seeded):
    django = Framework.objects.get(slug="django")
    client.force_login(editor)
    data = draft_form(django, performance={"label": "Previewed label"})
    data["summary"] = "A preview-only summary."

    posted = client.post(url("framework", "preview_on_edit", django.pk), data)
    assert posted.status_code == 200 and posted.json()["is_valid"] is True
    preview = client.get(url("framework", "preview_on_edit", django.pk))

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Previewed label" in html and "A preview-only summary." in html
    assert 'class="matrix' in html and "card--framework" in html
    assert "Previewed label" not in client.get(reverse("comparisons:compare")).content.decode()


def test_preview_of_a_new_framework_renders(client, editor, seeded):
    client.force_login(editor)
    posted = client.post(url("framework", "preview_on_add"), new_framework_form())
    assert posted.json()["is_valid"] is True
    html = client.get(url("framework", "preview_on_add")).content.decode()
    assert DRAFT_NAME in html and "TODO" in html
    assert not Framework.objects.filter(slug="draftwork").exists()


@pytest.mark.parametrize("model", ["aspect", "scenario", "question", "option", "companion"])
def test_every_matrix_snippet_has_a_preview(client, editor, seeded, model):
    obj = {
        "aspect": Aspect.objects.first,
        "scenario": Scenario.objects.first,
        "question": Question.objects.first,
        "option": Option.objects.first,
        "companion": Companion.objects.first,
    }[model]()
    client.force_login(editor)
    edit = client.get(url(model, "edit", obj.pk)).content.decode()
    assert url(model, "preview_on_edit", obj.pk) in edit


def test_scheduled_publish_goes_live_with_publish_scheduled(client, seeded):
    framework = FrameworkFactory(name="Laterwork", slug="laterwork", live=False)
    framework.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = framework.save_revision()
    version = content_version()
    revision.publish()
    framework.refresh_from_db()
    assert not framework.live
    assert content_version() == version
    call_command("publish_scheduled", stdout=io.StringIO())
    assert "Laterwork" not in client.get(reverse("comparisons:compare")).content.decode()

    two_hours_later = timezone.now() + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=two_hours_later):
        call_command("publish_scheduled", stdout=io.StringIO())

    framework.refresh_from_db()
    assert framework.live
    assert content_version() != version
    assert "Laterwork" in client.get(reverse("comparisons:compare")).content.decode()


def test_a_scheduled_change_to_a_published_framework_keeps_it_online_until_go_live(client, editor, seeded):
    flask = Framework.objects.get(slug="flask")
    assert flask.live_revision_id is None  # seeded content has no revision yet
    client.force_login(editor)
    data = framework_form(flask)
    data["summary"] = "The summary of tomorrow."
    data["go_live_at"] = (timezone.now() + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    version = content_version()

    assert client.post(url("framework", "edit", flask.pk), data).status_code == 302

    flask.refresh_from_db()
    assert flask.live and flask.live_revision_id is not None
    assert flask.summary != "The summary of tomorrow."
    assert content_version() == version
    listed = client.get(reverse("api:framework-list")).content.decode()
    assert "flask" in listed and "The summary of tomorrow." not in listed
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(hours=2)):
        call_command("publish_scheduled", stdout=io.StringIO())
    flask.refresh_from_db()
    assert flask.live and flask.summary == "The summary of tomorrow."
    assert content_version() != version
    assert "The summary of tomorrow." in client.get(reverse("api:framework-list")).content.decode()


def test_locking_and_draft_bookkeeping_keep_the_version(client, editor, seeded):
    django = Framework.objects.get(slug="django")
    client.force_login(editor)
    version = content_version()

    assert client.post(url("framework", "lock", django.pk)).status_code == 302
    assert client.post(url("framework", "unlock", django.pk)).status_code == 302

    django.refresh_from_db()
    assert not django.locked
    assert content_version() == version


def test_export_then_import_keeps_drafts_as_drafts(seeded):
    draft = FrameworkFactory(name="Draftwork", slug="draftwork", live=False)
    django = Framework.objects.get(slug="django")
    django.summary = DRAFT_SUMMARY
    django.save_revision()
    document = matrix_export()
    assert "draftwork" not in {f["slug"] for f in document["frameworks"]}

    matrix_import(json.loads(json.dumps(document)), keep_missing=False)

    draft.refresh_from_db()
    django.refresh_from_db()
    assert Framework.objects.filter(pk=draft.pk, live=False).exists()
    assert (django.live, django.has_unpublished_changes) == (True, True)
    assert django.summary != DRAFT_SUMMARY
    assert django.get_latest_revision_as_object().summary == DRAFT_SUMMARY


def test_import_refuses_to_overwrite_a_draft_of_the_same_slug(seeded):
    from comparisons.matrix_io import MatrixDocumentError

    FrameworkFactory(name="Draftwork", slug="draftwork", live=False)
    document = matrix_export()
    document["frameworks"].append(dict(document["frameworks"][0], slug="draftwork", name="Imported"))

    with pytest.raises(MatrixDocumentError, match="unpublished draft"):
        matrix_import(document, keep_missing=True)
    assert Framework.objects.get(slug="draftwork").name == "Draftwork"


def test_imported_content_is_published(seeded):
    document = matrix_export()
    document["frameworks"].append(dict(document["frameworks"][0], slug="importwork", name="Importwork"))

    matrix_import(document, keep_missing=True)

    assert Framework.objects.published().filter(slug="importwork").exists()


def test_existing_content_is_published_and_moderation_is_ready_but_off(seeded):
    for model in (Framework, Aspect, Scenario, Question, Option):
        assert not model.objects.filter(live=False).exists(), model
        assert not model.objects.filter(has_unpublished_changes=True).exists(), model
    moderators = Group.objects.get(name="Moderators")
    assert moderators.permissions.filter(codename="publish_framework").exists()
    assert Group.objects.get(name="Editors").permissions.filter(codename="publish_framework").exists()
    workflow = Workflow.objects.get(name="Matrix approval")
    assert workflow.active
    assert list(workflow.tasks.specific()[0].groups.all()) == [moderators]
    matrix_types = ContentType.objects.get_for_models(Framework, Aspect, Scenario, Question, Option).values()
    assert not WorkflowContentType.objects.filter(content_type__in=matrix_types).exists()
    assert Framework.objects.get(slug="django").get_workflow() is None
