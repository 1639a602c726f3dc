"""Loads the guide and the matrix from the seed files, once per item.

Every item has a key recorded in SeedRecord when it is first loaded (or found
already present). A key on record is never loaded again, so an editor's later
change or deletion survives every run of the loader. The matrix and chooser
are loaded by comparisons.matrix_io (`matrix_seed`); the pages here.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from comparisons.facts import read_facts_seed, seed_facts
from comparisons.matrix_io import SEED_FILE, matrix_seed, seed_document
from comparisons.models import Aspect, Framework
from portal.models import FAQPage, GuideIndexPage, GuidePage, HomePage, SeedRecord
from portal.site_setup import create_home_site

MATRIX_FILE = SEED_FILE
GUIDE_FILE = settings.BASE_DIR / "portal" / "seed" / "guide.json"
# Guide pages link to aspects and ratings link to guide pages, so the guide is loaded in between.
BEFORE_GUIDE = ("aspects", "frameworks", "scenarios")
AFTER_GUIDE = ("ratings", "release_lines", "questions", "options", "option weights")


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

    def seed_matrix(self, matrix: dict, kinds: tuple[str, ...]):
        result = matrix_seed(matrix, loaded=self.done, kinds=kinds)
        SeedRecord.objects.bulk_create(SeedRecord(key=key) for key in result.recorded)
        self.done.update(result.recorded)
        self.report.created.update(result.created)
        self.report.skipped.update(result.skipped)

    def seed_facts(self, items: list[dict]):
        recorded, created = seed_facts(items, loaded=self.done)
        SeedRecord.objects.bulk_create(SeedRecord(key=key) for key in recorded)
        self.done.update(recorded)
        self.report.created["facts"] += created
        self.report.skipped["facts"] += len(recorded) - created


def load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_initial_data(
    matrix: dict | None = None, guide: dict | None = None, facts: list[dict] | None = None
) -> SeedReport:
    """Load whatever seed items were never loaded before; return what was done."""
    matrix = matrix if matrix is not None else seed_document()
    guide = guide if guide is not None else load_json(GUIDE_FILE)
    facts = facts if facts is not None else read_facts_seed()
    seeder = Seeder()
    seeder.seed_matrix(matrix, BEFORE_GUIDE)
    seed_guide(seeder, guide)
    seeder.seed_matrix(matrix, AFTER_GUIDE)
    seeder.seed_facts(facts)
    return seeder.report


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
                    related_aspects=[
                        aspects[slug] for slug in item.get("related_aspects", []) if slug in aspects
                    ],
                    body=_with_snippet_ids(item["body"], frameworks, aspects),
                ),
                slug=item["slug"],
                on_create=lambda page, item=item: _link_framework(frameworks, item, page),
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


def _with_snippet_ids(body: list, frameworks: dict, aspects: dict) -> list:
    """Rating blocks name framework and aspect by slug in the seed; the page stores their ids.

    A rating whose framework or aspect is gone (an editor deleted it) is left out.
    """

    def resolve(rating: dict) -> dict | None:
        framework, aspect = frameworks.get(rating["framework"]), aspects.get(rating["aspect"])
        if framework is None or aspect is None:
            return None
        return {**rating, "framework": framework.pk, "aspect": aspect.pk}

    resolved = []
    for block in body:
        if block["type"] == "rating":
            value = resolve(block["value"])
            if value is None:
                continue
            block = {**block, "value": value}
        elif block["type"] == "ratings":
            items = [r for r in map(resolve, block["value"]["ratings"]) if r is not None]
            if not items:
                continue
            block = {**block, "value": {**block["value"], "ratings": items}}
        resolved.append(block)
    return resolved


def _link_framework(frameworks: dict[str, Framework], item: dict, page: GuidePage):
    """A new guide page about a framework becomes that framework's guide, unless it has one."""
    framework = frameworks.get(item.get("framework") or "")
    if framework is not None and framework.guide_page_id is None:
        framework.guide_page = page
        framework.save(update_fields=["guide_page"])


def _seed_child(seeder, key, parent, model, build, slug, on_create=None):
    """Create a published child page once; return the page now under that slug, if any."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if not seeder.pending("pages", key):
        return existing
    if existing is not None:
        seeder.record("pages", key, created=False)
        return existing
    page = _publish_child(parent, build())
    if on_create is not None:
        on_create(page)
    seeder.record("pages", key, created=True)
    return page


def _home_page() -> HomePage | None:
    """The default site's home page; a database without a site gets the one the migration makes.

    A site an operator pointed elsewhere is left alone.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return create_home_site(apps)
    root = site.root_page.specific
    return root if isinstance(root, HomePage) else None
