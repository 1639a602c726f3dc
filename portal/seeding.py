"""Loads the guide and the matrix from the seed files, once per item.

Every item has a key recorded in SeedRecord when it is first loaded (or found
already present). A key on record is never loaded again, so an editor's later
change or deletion survives every run of the loader.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from comparisons.models import Aspect, Framework, Option, OptionWeight, Question, Rating, Scenario
from portal.models import FAQPage, GuideIndexPage, GuidePage, HomePage, SeedRecord

MATRIX_FILE = settings.BASE_DIR / "comparisons" / "seed" / "matrix.json"
GUIDE_FILE = settings.BASE_DIR / "portal" / "seed" / "guide.json"


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def __str__(self):
        kinds = sorted(set(self.created) | set(self.skipped))
        if not kinds:
            return "Nothing to load."
        return "; ".join(f"{kind}: {self.created[kind]} created, {self.skipped[kind]} kept" for kind in kinds)


class Seeder:
    def __init__(self):
        self.done = set(SeedRecord.objects.values_list("key", flat=True))
        self.report = SeedReport()

    def pending(self, kind: str, key: str) -> bool:
        if key in self.done:
            self.report.skipped[kind] += 1
            return False
        return True

    def record(self, kind: str, key: str, created: bool):
        SeedRecord.objects.create(key=key)
        self.done.add(key)
        (self.report.created if created else self.report.skipped)[kind] += 1


def load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_initial_data(matrix: dict | None = None, guide: dict | None = None) -> SeedReport:
    """Load whatever seed items were never loaded before; return what was done."""
    matrix = matrix if matrix is not None else load_json(MATRIX_FILE)
    guide = guide if guide is not None else load_json(GUIDE_FILE)
    seeder = Seeder()
    seed_aspects(seeder, matrix["aspects"])
    seed_frameworks(seeder, matrix["frameworks"])
    seed_scenarios(seeder, matrix["scenarios"])
    seed_guide(seeder, guide)
    seed_ratings(seeder, matrix["ratings"])
    seed_questions(seeder, matrix.get("questions", []))
    return seeder.report


def _next_order(model) -> int:
    last = model.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return (last or 0) + 1


def seed_aspects(seeder: Seeder, items: list[dict]):
    for item in items:
        key = f"aspect:{item['slug']}"
        if not seeder.pending("aspects", key):
            continue
        _, created = Aspect.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "description": item["description"],
                "in_overview": item.get("in_overview", False),
                "sort_order": _next_order(Aspect),
            },
        )
        seeder.record("aspects", key, created)


def seed_frameworks(seeder: Seeder, items: list[dict]):
    for item in items:
        key = f"framework:{item['slug']}"
        if not seeder.pending("frameworks", key):
            continue
        _, created = Framework.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "summary": item["summary"],
                "website": item.get("website", ""),
                "docs_url": item.get("docs_url", ""),
                "sort_order": _next_order(Framework),
            },
        )
        seeder.record("frameworks", key, created)


def seed_scenarios(seeder: Seeder, items: list[dict]):
    frameworks = {f.slug: f for f in Framework.objects.all()}
    for item in items:
        key = f"scenario:{item['slug']}"
        framework = frameworks.get(item["framework"])
        if framework is None or not seeder.pending("scenarios", key):
            continue
        _, created = Scenario.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "situation": item["situation"],
                "framework": framework,
                "companion": item.get("companion", ""),
                "rationale": item["rationale"],
                "in_cheat_sheet": item.get("in_cheat_sheet", False),
                "sort_order": _next_order(Scenario),
            },
        )
        seeder.record("scenarios", key, created)


def seed_ratings(seeder: Seeder, items: list[dict]):
    frameworks = {f.slug: f for f in Framework.objects.all()}
    aspects = {a.slug: a for a in Aspect.objects.all()}
    guide_pages = {p.slug: p for p in GuidePage.objects.all()}
    for item in items:
        key = f"rating:{item['framework']}:{item['aspect']}"
        framework, aspect = frameworks.get(item["framework"]), aspects.get(item["aspect"])
        if framework is None or aspect is None or not seeder.pending("ratings", key):
            continue
        source_page = guide_pages.get(item.get("source_page") or "")
        _, created = Rating.objects.get_or_create(
            framework=framework,
            aspect=aspect,
            defaults={
                "score": item["score"],
                "label": item["label"],
                "note": item.get("note", ""),
                "source_page": source_page,
                "source_anchor": item.get("source_anchor", "") if source_page else "",
            },
        )
        seeder.record("ratings", key, created)


def _publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def seed_guide(seeder: Seeder, guide: dict):
    home = _home_page()
    if home is None:
        return
    if seeder.pending("pages", "page:home-intro"):
        seeder.record("pages", "page:home-intro", created=True)
        home.intro = guide["home"]["intro"]
        home.save_revision().publish()

    index = _seed_child(
        seeder,
        "page:guide",
        home,
        GuideIndexPage,
        lambda: GuideIndexPage(
            title=guide["guide_index"]["title"],
            slug="guide",
            intro=guide["guide_index"]["intro"],
            search_description=guide["guide_index"].get("search_description", ""),
            show_in_menus=True,
        ),
        slug="guide",
    )
    if index is not None:
        frameworks = {f.slug: f for f in Framework.objects.all()}
        aspects = {a.slug: a for a in Aspect.objects.all()}
        for item in guide["pages"]:
            _seed_child(
                seeder,
                f"page:guide/{item['slug']}",
                index,
                GuidePage,
                lambda item=item: GuidePage(
                    title=item["title"],
                    slug=item["slug"],
                    summary=item["summary"],
                    framework=frameworks.get(item.get("framework") or ""),
                    related_aspects=[
                        aspects[slug] for slug in item.get("related_aspects", []) if slug in aspects
                    ],
                    body=item["body"],
                ),
                slug=item["slug"],
            )

    faq = guide["faq"]
    _seed_child(
        seeder,
        "page:faq",
        home,
        FAQPage,
        lambda: FAQPage(
            title=faq["title"],
            slug="faq",
            intro=faq["intro"],
            search_description=faq.get("search_description", ""),
            show_in_menus=True,
            body=[
                {
                    "type": "question",
                    "value": {
                        "question": q["question"],
                        "anchor": q["anchor"],
                        "answer": q["answer"],
                    },
                }
                for q in faq["questions"]
            ],
        ),
        slug="faq",
    )


def _seed_child(seeder, key, parent, model, build, slug):
    """Create a published child page once; return the page now under that slug, if any."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if not seeder.pending("pages", key):
        return existing
    if existing is not None:
        seeder.record("pages", key, created=False)
        return existing
    page = _publish_child(parent, build())
    seeder.record("pages", key, created=True)
    return page


def _home_page() -> HomePage | None:
    """The default site's home page.

    A database with no site at all (a flushed test database, say) gets the
    locale, root, home page and site the migrations would have made; a site
    an operator pointed elsewhere is left alone.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        root = site.root_page.specific
        return root if isinstance(root, HomePage) else None
    locale = Locale.objects.first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = HomePage.objects.child_of(root).first()
    if home is None:
        home = HomePage(title="Stackfit", slug="home", seo_title="Stackfit: Flask, Django or FastAPI?")
        _publish_child(root, home)
    Site.objects.create(
        hostname="localhost", port=80, site_name="Stackfit", root_page=home, is_default_site=True
    )
    return home


def seed_questions(seeder: Seeder, items: list[dict]):
    aspects = {a.slug: a for a in Aspect.objects.all()}
    scenarios = {s.slug: s for s in Scenario.objects.all()}
    for item in items:
        key = f"question:{item['slug']}"
        if seeder.pending("questions", key):
            question, created = Question.objects.get_or_create(
                slug=item["slug"],
                defaults={
                    "prompt": item["prompt"],
                    "help_text": item.get("help_text", ""),
                    "kind": item["kind"],
                    "sort_order": _next_order(Question),
                },
            )
            seeder.record("questions", key, created)
        question = Question.objects.filter(slug=item["slug"]).first()
        if question is None:
            continue
        for position, option_item in enumerate(item["options"], start=1):
            seed_option(seeder, question, position, option_item, aspects, scenarios)


def seed_option(seeder, question, position, item, aspects, scenarios):
    """An option with its weights and scenarios, loaded together once."""
    key = f"option:{question.slug}:{item['slug']}"
    if not seeder.pending("options", key):
        return
    option, created = Option.objects.get_or_create(
        question=question,
        slug=item["slug"],
        defaults={
            "label": item["label"],
            "description": item.get("description", ""),
            "sort_order": position,
        },
    )
    if created:
        OptionWeight.objects.bulk_create(
            OptionWeight(option=option, aspect=aspects[slug], weight=weight)
            for slug, weight in item.get("weights", {}).items()
            if slug in aspects
        )
        option.scenarios.set([scenarios[slug] for slug in item.get("scenarios", []) if slug in scenarios])
        option.save()
    seeder.record("options", key, created)
