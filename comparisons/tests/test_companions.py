"""Companions are content: snippets with drafts, seeded, imported, exported, in the snapshot and the API."""

import copy
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from comparisons.engine import snapshot_from_dict, snapshot_to_dict
from comparisons.matrix_io import (
    MatrixDocumentError,
    matrix_export,
    matrix_import,
    seed_document,
)
from comparisons.models import Aspect, Companion, CompanionCoverage, Framework, Question, Scenario
from comparisons.snapshot import build_snapshot, get_snapshot
from comparisons.tests.factories import AspectFactory, FrameworkFactory
from core.content_version import content_version
from portal.models import SeedRecord
from portal.seeding import load_initial_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def make_companion(slug="flask-babel", *, frameworks=("flask",), covers=None, live=True, **fields):
    companion = Companion(
        slug=slug,
        name=fields.pop("name", slug.title()),
        package=fields.pop("package", slug),
        docs_url=fields.pop("docs_url", f"https://{slug}.example.org/"),
        live=live,
        **fields,
    )
    companion.frameworks.set(Framework.objects.filter(slug__in=frameworks))
    for aspect, level in (covers or {}).items():
        companion.coverage.add(CompanionCoverage(aspect=Aspect.objects.get(slug=aspect), level=level))
    companion.save()
    return companion


def companion_form(**overrides):
    """The add form of the admin, as an editor fills it in for a new companion."""
    data = {
        "name": "Flask-Babel",
        "slug": "flask-babel",
        "package": "Flask-Babel",
        "docs_url": "https://python-babel.github.io/flask-babel/",
        "note": "Translations and localised dates.",
        "coverage": inline_formset([{"aspect": Aspect.objects.get(slug="templates").pk, "level": 4}]),
    }
    data.update(overrides)
    # Multiple choices go as repeated values, which nested_form_data would number instead.
    return {**nested_form_data(data), "frameworks": [Framework.objects.get(slug="flask").pk], "scenarios": []}


# ---------------------------------------------------------------- seed and model rules


def test_the_seed_loads_every_companion_published_with_its_coverage(seeded):
    seeded_slugs = [c["slug"] for c in seed_document()["companions"]]

    assert list(Companion.objects.published().values_list("slug", flat=True)) == seeded_slugs
    flask_login = Companion.objects.get(slug="flask-login")
    assert flask_login.package == "Flask-Login"
    assert [f.slug for f in flask_login.frameworks.all()] == ["flask"]
    assert {(row.aspect.slug, row.level) for row in flask_login.coverage.all()} == {("auth", 5)}
    assert [s.slug for s in Companion.objects.get(slug="wagtail").scenarios.all()] == ["content-site"]


def test_the_seed_marks_context_questions_and_separate_services(seeded):
    assert set(Question.objects.filter(context=True).values_list("slug", flat=True)) == {
        "project",
        "codebase",
    }
    assert set(Scenario.objects.filter(separate_service=True).values_list("slug", flat=True)) == {
        "ml-serving",
        "async-microservice",
    }


def test_seeding_again_adds_nothing_and_never_brings_back_a_deleted_companion(seeded):
    Companion.objects.get(slug="channels").delete()
    CompanionCoverage.objects.filter(companion__slug="flask-login").delete()

    report = load_initial_data()

    assert report.created["companions"] == 0
    assert report.created["companion coverage"] == 0
    assert not Companion.objects.filter(slug="channels").exists()
    assert not CompanionCoverage.objects.filter(companion__slug="flask-login").exists()
    assert SeedRecord.objects.filter(key="companion:channels").exists()


def test_a_companion_waits_for_a_framework_it_extends(empty_content):
    SeedRecord.objects.create(key="framework:quart")  # loaded once, deleted by an editor since

    load_initial_data()

    assert not Framework.objects.filter(slug="quart").exists()
    assert not Companion.objects.filter(slug="quart-auth").exists()
    assert not SeedRecord.objects.filter(key="companion:quart-auth").exists()  # left for a later run
    assert CompanionCoverage.objects.filter(companion__slug="flask-login").count() == 1


def test_coverage_is_unique_per_companion_and_aspect(seeded):
    companion = Companion.objects.get(slug="flask-login")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanionCoverage.objects.create(companion=companion, aspect=Aspect.objects.get(slug="auth"), level=3)


@pytest.mark.parametrize(
    ("aspect", "level", "field"),
    [
        ("best_for", 3, "aspect"),  # a text aspect has no score to cover
        ("auth", 3, "level"),  # yes/no: 0 or 5
        ("performance", 6, "level"),
    ],
)
def test_coverage_follows_the_aspects_scale(seeded, aspect, level, field):
    row = CompanionCoverage(
        companion=Companion.objects.get(slug="flask-login"),
        aspect=Aspect.objects.get(slug=aspect),
        level=level,
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean(validate_unique=False)
    assert field in error.value.message_dict


def test_a_package_name_must_look_like_one(seeded):
    companion = Companion.objects.get(slug="flask-login")
    companion.package = "flask login!"
    with pytest.raises(ValidationError) as error:
        companion.full_clean()
    assert "package" in error.value.message_dict


def test_editors_and_moderators_may_edit_and_publish_companions(seeded):
    for group in ("Editors", "Moderators"):
        codenames = set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))
        assert {
            "add_companion",
            "change_companion",
            "publish_companion",
            "change_companioncoverage",
        } <= codenames
    assert "lock_companion" in set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )


def test_the_migration_marks_rows_seeded_before_it_and_their_revisions(seeded):
    question = Question.objects.get(slug="codebase")
    Question.objects.filter(pk=question.pk).update(context=False)
    revision = question.save_revision(clean=False, log_action=False)
    content = dict(revision.content)
    content.pop("context")
    revision.content = content
    revision.save(update_fields=["content"])

    migration = importlib.import_module("comparisons.migrations.0009_companions")
    migration.mark_existing(django_apps, None)

    question.refresh_from_db()
    revision.refresh_from_db()
    assert question.context is True
    assert revision.content["context"] is True
    assert question.get_latest_revision_as_object().context is True


# ---------------------------------------------------------------- drafts, admin and API


def test_a_companion_saved_in_the_admin_stays_a_draft_until_published(client, api, editor, seeded):
    client.force_login(editor)
    version = content_version()

    response = client.post(reverse("wagtailsnippets_comparisons_companion:add"), companion_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Companion.objects.get(slug="flask-babel")
    assert draft.live is False
    assert content_version() == version
    assert "flask-babel" not in {c.slug for c in get_snapshot().companions}
    assert "flask-babel" not in {c["slug"] for c in api.get("/api/v1/companions/").json()}
    assert api.get("/api/v1/companions/flask-babel/").status_code == 404
    assert "flask-babel" not in {c["slug"] for c in matrix_export()["companions"]}

    edit = reverse("wagtailsnippets_comparisons_companion:edit", args=[draft.pk])
    row = draft.coverage.get()
    coverage = inline_formset([{"id": row.pk, "aspect": row.aspect_id, "level": 4}], initial=1)
    response = client.post(edit, companion_form(coverage=coverage, **{"action-publish": "action-publish"}))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert content_version() != version
    listed = {c["slug"]: c for c in api.get("/api/v1/companions/").json()}
    assert listed["flask-babel"]["covers"] == [{"aspect": "templates", "level": 4}]
    assert listed["flask-babel"]["frameworks"] == ["flask"]
    (info,) = [c for c in get_snapshot().companions if c.slug == "flask-babel"]
    assert info.covers == {"templates": 4}


def test_the_companion_form_has_a_preview_and_the_matrix_menu_lists_companions(client, editor, seeded):
    client.force_login(editor)
    companion = Companion.objects.get(slug="wagtail")
    edit = client.get(
        reverse("wagtailsnippets_comparisons_companion:edit", args=[companion.pk])
    ).content.decode()
    assert reverse("wagtailsnippets_comparisons_companion:preview_on_edit", args=[companion.pk]) in edit

    preview = reverse("wagtailsnippets_comparisons_companion:preview_on_edit", args=[companion.pk])
    data = companion_form(name="Wagtail (renamed)", slug="wagtail")
    assert client.post(preview, data).json()["is_valid"] is True
    html = client.get(preview).content.decode()
    assert "Wagtail (renamed)" in html and "Server-rendered templates (4/5)" in html
    assert Companion.objects.get(slug="wagtail").name == "Wagtail"


def test_the_admin_lists_companions_filtered_by_framework(client, editor, seeded):
    client.force_login(editor)
    flask = Framework.objects.get(slug="flask")

    response = client.get(reverse("wagtailsnippets_comparisons_companion:list"), {"frameworks": flask.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Flask-Login" in html and "SQLModel" not in html


def test_api_lists_published_companions_and_details_one_by_slug(api, seeded):
    make_companion("hidden-draft", live=False, covers={"auth": 5})

    listed = api.get("/api/v1/companions/").json()
    detail = api.get("/api/v1/companions/sqlmodel/")

    assert [c["slug"] for c in listed] == [c["slug"] for c in seed_document()["companions"]]
    assert detail.status_code == 200
    assert detail.json() == {
        "slug": "sqlmodel",
        "name": "SQLModel",
        "package": "sqlmodel",
        "docs_url": "https://sqlmodel.tiangolo.com/",
        "note": Companion.objects.get(slug="sqlmodel").note,
        "frameworks": ["fastapi"],
        "scenarios": [],
        "covers": [{"aspect": "orm", "level": 5}],
    }
    assert api.get("/api/v1/companions/hidden-draft/").status_code == 404
    assert api.get("/api/v1/companions/nope/").status_code == 404


def test_api_hides_links_to_unpublished_frameworks_and_aspects(api, seeded):
    Framework.objects.filter(slug="django").update(live=False)
    Aspect.objects.filter(slug="async").update(live=False)

    channels = api.get("/api/v1/companions/channels/").json()

    assert channels["frameworks"] == []
    assert channels["covers"] == []


@pytest.mark.parametrize("url", ["/api/v1/companions/", "/api/v1/companions/flask-login/"])
def test_companion_reads_answer_304_while_nothing_changed(api, seeded, url):
    first = api.get(url)
    assert first["ETag"]

    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    companion = Companion.objects.get(slug="flask-login")
    companion.note = "Changed."
    companion.save()
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_companion_list_costs_the_same_queries_for_many_companions(
    api, seeded, django_assert_max_num_queries
):
    for index in range(15):
        make_companion(f"extra-{index}", frameworks=("flask", "quart"), covers={"auth": 5, "orm": 5})
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/companions/")
    assert len(response.json()) == Companion.objects.count()


def test_schema_documents_the_companion_endpoints(api):
    paths = api.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"/api/v1/companions/", "/api/v1/companions/{slug}/"} <= set(paths)


def test_search_finds_companions(client, seeded):
    html = client.get("/search/", {"q": "SQLModel"}).content.decode()
    assert "Companions" in html
    assert "https://sqlmodel.tiangolo.com/" in html


# ---------------------------------------------------------------- snapshot


def test_the_snapshot_carries_companions_context_and_separate_services(seeded):
    snapshot = build_snapshot()

    by_slug = {c.slug: c for c in snapshot.companions}
    assert by_slug["flask-sqlalchemy"].frameworks == ("flask",)
    assert by_slug["flask-sqlalchemy"].covers == {"orm": 5}
    assert by_slug["flask-sqlalchemy"].scenarios == ("prototype",)
    assert by_slug["quart-schema"].covers == {"api_docs": 4, "validation": 4}
    assert snapshot.question("project").context is True
    assert snapshot.question("needs").context is False
    assert {s.slug for s in snapshot.scenarios if s.separate_service} == {"ml-serving", "async-microservice"}


def test_the_snapshot_survives_its_dict_form(seeded):
    snapshot = build_snapshot()

    again = snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(snapshot))))

    assert again.companions == snapshot.companions
    assert again.questions == snapshot.questions
    assert again.scenarios == snapshot.scenarios
    assert again.fingerprint == snapshot.fingerprint


def test_fingerprints_of_matrices_without_companions_or_flags_stay_as_they_were(seeded):
    Companion.objects.all().delete()
    Question.objects.update(context=False)
    Scenario.objects.update(separate_service=False)

    data = snapshot_to_dict(build_snapshot())

    assert "companions" not in data
    assert not any("context" in q for q in data["questions"])
    assert not any("separate_service" in s for s in data["scenarios"])


def test_the_snapshot_leaves_out_drafts_and_links_readers_cannot_see(seeded):
    make_companion("draft-one", live=False, covers={"auth": 5})
    Framework.objects.filter(slug="quart").update(live=False)
    Scenario.objects.filter(slug="prototype").update(live=False)

    by_slug = {c.slug: c for c in build_snapshot().companions}

    assert "draft-one" not in by_slug
    assert by_slug["quart-auth"].frameworks == ()
    assert by_slug["flask-sqlalchemy"].scenarios == ()


def test_building_the_snapshot_costs_the_same_queries_for_many_companions(seeded, django_assert_num_queries):
    build_snapshot()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        build_snapshot()
    for index in range(20):
        aspect = AspectFactory()
        FrameworkFactory()
        make_companion(f"more-{index}", frameworks=("flask", "django"), covers={aspect.slug: 3, "orm": 5})
    with django_assert_num_queries(len(few)):
        snapshot = build_snapshot()
    assert len(snapshot.companions) == Companion.objects.count()


# ---------------------------------------------------------------- export and import


def test_export_then_import_changes_nothing(seeded):
    document = matrix_export()

    report = matrix_import(copy.deepcopy(document))

    assert not report.changed
    assert report.unchanged["companions"] == len(document["companions"])
    assert report.unchanged["companion coverage"] == sum(len(c["covers"]) for c in document["companions"])
    assert matrix_export() == document


def test_the_export_of_the_seed_is_the_seed(seeded):
    seed = seed_document()
    exported = matrix_export()
    assert exported["companions"] == seed["companions"]
    assert exported["scenarios"] == seed["scenarios"]


def test_import_updates_coverage_links_and_deletes_what_the_document_leaves_out(seeded):
    document = matrix_export()
    by_slug = {c["slug"]: c for c in document["companions"]}
    by_slug["django-rest-framework"]["covers"] = {"api_docs": 5}
    by_slug["sqlalchemy"]["frameworks"] = ["fastapi", "litestar"]
    by_slug["wagtail"]["scenarios"] = []
    assert document["companions"][-1]["slug"] == "advanced-alchemy"
    document["companions"].pop()
    document["questions"][1]["context"] = True
    document["scenarios"][0]["separate_service"] = True

    report = matrix_import(document)

    assert report.updated["companions"] == 2, report.changes
    assert report.updated["companion coverage"] == 1
    assert report.deleted["companion coverage"] == 2  # DRF's validation, Advanced Alchemy's orm
    assert report.deleted["companions"] == 1
    drf = Companion.objects.get(slug="django-rest-framework")
    assert {(r.aspect.slug, r.level) for r in drf.coverage.all()} == {("api_docs", 5)}
    assert {f.slug for f in Companion.objects.get(slug="sqlalchemy").frameworks.all()} == {
        "fastapi",
        "litestar",
    }
    assert not Companion.objects.get(slug="wagtail").scenarios.exists()
    assert not Companion.objects.filter(slug="advanced-alchemy").exists()
    assert Question.objects.get(slug="needs").context is True
    assert Scenario.objects.get(slug="saas").separate_service is True
    assert matrix_export() == document


def test_a_document_from_before_companions_still_imports(seeded):
    document = matrix_export()
    del document["companions"]
    for question in document["questions"]:
        del question["context"]

    report = matrix_import(document, dry_run=True)

    assert report.deleted["companions"] == Companion.objects.count()
    assert report.updated["questions"] == 2  # project and codebase lose their context flag


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c.update(frameworks=["rails"]), 'companions[0].frameworks[0]: unknown framework "rails"'),
        (lambda c: c.update(frameworks=[]), "companions[0].frameworks: name at least one framework"),
        (lambda c: c.update(scenarios=["moon"]), 'companions[0].scenarios[0]: unknown scenario "moon"'),
        (lambda c: c.update(covers={"cms": 5}), 'companions[0].covers.cms: unknown aspect "cms"'),
        (lambda c: c.update(covers={"admin": 9}), "companions[0].covers.admin: "),
        (
            lambda c: c.update(covers={"admin": "5"}),
            "companions[0].covers.admin: expected integer, got string",
        ),
        (lambda c: c.update(docs_url="docs"), "companions[0].docs_url: Enter a valid URL."),
        (lambda c: c.update(colour="#000000"), "companions[0].colour: unknown key"),
        (lambda c: c.pop("package"), "companions[0].package: required key is missing"),
        (
            lambda c: c.update(frameworks=["django", "django"]),
            'companions[0].frameworks[1]: "django" is listed twice',
        ),
    ],
)
def test_import_names_each_problem_with_its_path_and_writes_nothing(seeded, change, problem):
    document = matrix_export()
    change(document["companions"][0])
    before = matrix_export()

    with pytest.raises(MatrixDocumentError) as error:
        matrix_import(document)

    assert any(p.startswith(problem) for p in error.value.problems), error.value.problems
    assert matrix_export() == before


def test_a_duplicate_companion_slug_is_a_problem(seeded):
    document = matrix_export()
    document["companions"].append(copy.deepcopy(document["companions"][0]))

    with pytest.raises(MatrixDocumentError) as error:
        matrix_import(document)

    assert any('duplicate slug "wagtail"' in p for p in error.value.problems)


def test_import_refuses_a_companion_that_exists_only_as_a_draft(seeded):
    make_companion("draft-two", live=False)
    document = matrix_export()
    document["companions"].append(
        {
            "slug": "draft-two",
            "name": "Draft two",
            "package": "draft-two",
            "docs_url": "https://example.org/",
            "note": "",
            "frameworks": ["flask"],
            "scenarios": [],
            "covers": {},
        }
    )

    with pytest.raises(MatrixDocumentError) as error:
        matrix_import(document)

    assert any(
        p.startswith("companions draft-two: exists as an unpublished draft") for p in error.value.problems
    )


# ---------------------------------------------------------------- pages


def test_compare_lists_the_companions_of_each_selected_framework(client, seeded):
    make_companion("draft-three", name="Draft Three", live=False, covers={"auth": 5})

    html = client.get("/compare/", {"fw": ["flask", "quart"]}).content.decode()

    assert "Flask-Login" in html and "Built-in auth (5/5)" in html
    assert "Quart-Auth" in html
    assert "Channels" not in html  # a companion of a framework not selected
    assert "Draft Three" not in html


def test_a_frameworks_guide_page_lists_its_companions(client, seeded):
    from portal.models import GuidePage

    html = client.get(GuidePage.objects.get(slug="django").url).content.decode()

    assert "Companions for Django" in html
    assert "Wagtail" in html and "https://docs.wagtail.org/en/stable/" in html
    assert "https://flask-login.readthedocs.io/" not in html  # Flask's, not Django's


def test_compare_costs_the_same_queries_with_more_companions(client, seeded):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/compare/").status_code == 200
        return len(captured)

    client.get("/compare/")
    before = count()
    for index in range(10):
        make_companion(
            f"many-{index}", frameworks=("flask", "django", "fastapi"), covers={"orm": 5, "auth": 5}
        )
    assert count() == before
