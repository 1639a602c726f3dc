import io

import pytest
from django.core.management import call_command

from comparisons.models import Aspect, Framework, Rating, Scenario
from portal.models import FAQPage, GuideIndexPage, GuidePage, SeedRecord
from portal.seeding import GUIDE_FILE, MATRIX_FILE, load_initial_data, load_json

pytestmark = pytest.mark.django_db

FRAMEWORKS = {"flask", "django", "fastapi", "quart", "litestar"}
ASPECTS = {
    "type", "performance", "async", "learning_curve", "orm", "admin", "best_for",
    "templates", "auth", "api_docs", "validation", "security", "ecosystem", "jobs",
}  # fmt: skip


def test_seed_fills_every_matrix_cell(seeded):
    assert set(Framework.objects.values_list("slug", flat=True)) == FRAMEWORKS
    assert set(Aspect.objects.values_list("slug", flat=True)) == ASPECTS
    assert Rating.objects.count() == len(FRAMEWORKS) * len(ASPECTS)
    assert not Rating.objects.filter(label="").exists()
    assert not Rating.objects.filter(note="").exists()
    for rating in Rating.objects.select_related("aspect", "framework"):
        rating.full_clean()


def test_seed_has_the_seven_cheat_sheet_rows(seeded):
    cheat_sheet = Scenario.objects.cheat_sheet().with_framework()
    assert [(s.slug, s.framework.slug) for s in cheat_sheet] == [
        ("saas", "django"),
        ("spa-api", "fastapi"),
        ("prototype", "flask"),
        ("ml-serving", "fastapi"),
        ("content-site", "django"),
        ("async-microservice", "fastapi"),
        ("teaching", "flask"),
    ]
    assert Scenario.objects.get(slug="content-site").companion == "with Wagtail"
    assert Scenario.objects.filter(in_cheat_sheet=False).count() >= 4


def test_seed_builds_the_guide_and_faq(seeded):
    index = GuideIndexPage.objects.get()
    pages = GuidePage.objects.child_of(index).live()
    assert [p.slug for p in pages] == [
        "flask", "django", "fastapi", "quart", "litestar", "performance", "async-support",
        "learning-curve", "ecosystem", "final-thoughts",
    ]  # fmt: skip
    assert {p.framework.slug for p in pages if p.framework} == FRAMEWORKS
    for page in pages:
        assert page.table_of_contents, page.slug
        assert page.related_aspects.exists(), page.slug
    faq = FAQPage.objects.get()
    assert len(faq.body) == 6
    assert faq.body[0].value.anchor_id() == "is-flask-still-relevant-in-2026"


def test_rating_sources_point_at_existing_sections(seeded):
    for rating in Rating.objects.exclude(source_page=None).select_related("source_page"):
        anchors = {item["anchor"] for item in rating.source_page.specific.table_of_contents}
        assert rating.source_anchor in anchors, rating


def test_second_run_changes_nothing(seeded):
    before = {
        "ratings": list(Rating.objects.values_list("pk", "score", "label", "note")),
        "pages": list(GuidePage.objects.values_list("pk", "latest_revision_id")),
    }
    report = load_initial_data()
    assert sum(report.created.values()) == 0
    assert list(Rating.objects.values_list("pk", "score", "label", "note")) == before["ratings"]
    assert list(GuidePage.objects.values_list("pk", "latest_revision_id")) == before["pages"]


def test_editor_changes_survive_a_rerun(seeded):
    rating = Rating.objects.get(framework__slug="django", aspect__slug="performance")
    rating.score, rating.label = 4, "Good enough"
    rating.save()
    Scenario.objects.filter(slug="teaching").delete()
    page = GuidePage.objects.get(slug="flask")
    page.title = "Flask, edited"
    page.save_revision().publish()

    call_command("load_initial_data", stdout=io.StringIO())

    rating.refresh_from_db()
    assert (rating.score, rating.label) == (4, "Good enough")
    assert not Scenario.objects.filter(slug="teaching").exists()
    assert GuidePage.objects.get(slug="flask").title == "Flask, edited"


def test_seed_files_cover_every_pair_once():
    matrix = load_json(MATRIX_FILE)
    pairs = [(r["framework"], r["aspect"]) for r in matrix["ratings"]]
    assert len(pairs) == len(set(pairs)) == len(FRAMEWORKS) * len(ASPECTS)
    guide = load_json(GUIDE_FILE)
    assert len(guide["faq"]["questions"]) == 6


def test_loader_rebuilds_a_site_on_a_database_without_one(empty_content):
    from wagtail.models import Locale, Page, Site

    Site.objects.all().delete()
    Page.objects.all().delete()
    Locale.objects.all().delete()

    load_initial_data()

    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class.__name__ == "HomePage"
    assert GuidePage.objects.child_of(GuideIndexPage.objects.get()).count() == 10


def test_seed_keys_keep_their_names_so_databases_seeded_before_skip_the_same_items(seeded):
    keys = set(SeedRecord.objects.values_list("key", flat=True))
    assert {
        "aspect:orm",
        "framework:flask",
        "scenario:saas",
        "rating:flask:orm",
        "question:project",
        "option:project:ml",
        "page:guide/flask",
        "page:faq",
    } <= keys


def test_a_recorded_framework_is_not_brought_back_nor_anything_that_needs_it(empty_content):
    SeedRecord.objects.create(key="framework:flask")

    report = load_initial_data()

    assert set(Framework.objects.values_list("slug", flat=True)) == FRAMEWORKS - {"flask"}
    assert not Rating.objects.filter(framework__slug="flask").exists()
    assert not Scenario.objects.filter(slug__in=["prototype", "teaching"]).exists()
    assert report.skipped["frameworks"] == 1
    assert not SeedRecord.objects.filter(key="scenario:prototype").exists()  # left for a later run


def test_an_item_present_but_never_recorded_is_kept_as_it_is_and_recorded(seeded):
    SeedRecord.objects.filter(key="rating:django:performance").delete()
    Rating.objects.filter(framework__slug="django", aspect__slug="performance").update(label="Edited")

    report = load_initial_data()

    assert Rating.objects.get(framework__slug="django", aspect__slug="performance").label == "Edited"
    assert SeedRecord.objects.filter(key="rating:django:performance").exists()
    assert sum(report.created.values()) == 0


def test_an_editor_unlinking_a_guide_page_survives_a_rerun(seeded):
    Framework.objects.filter(slug="django").update(guide_page=None)

    load_initial_data()

    assert Framework.objects.get(slug="django").guide_page is None
    assert Framework.objects.get(slug="flask").guide_page.slug == "flask"
