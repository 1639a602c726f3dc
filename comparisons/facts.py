"""Refreshing the release facts of frameworks from the package index, and their seed file.

`refresh_facts` fetches every package first and validates each document; only when
all of them are good does it write, in one transaction, so readers never see half
an update. It reports what changed: a new version, a new or cleared advisory, a
newly yanked release, a changed Python range or licence.
"""

import datetime
import json
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comparisons.models import Advisory, Framework, FrameworkFacts
from comparisons.registry import AdvisoryData, PackageFacts, RegistryError, fetch_facts, index_client
from core.content_version import bump_content_version

FACTS_SEED_FILE = settings.BASE_DIR / "comparisons" / "seed" / "facts.json"
FACT_FIELDS = (
    "package",
    "latest_version",
    "latest_release_date",
    "first_release_date",
    "requires_python",
    "python_versions",
    "license",
    "yanked",
)


@dataclass
class FactsReport:
    """What a refresh fetched, what changed per framework slug, and what failed."""

    dry_run: bool = False
    checked: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    written: bool = False
    fetched_at: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        out = []
        for slug in self.checked:
            if slug in self.failures:
                out.append(f"{slug}: FAILED: {self.failures[slug]}")
            elif self.changes.get(slug):
                out.extend(f"{slug}: {change}" for change in self.changes[slug])
            else:
                out.append(f"{slug}: unchanged")
        if self.failures:
            out.append("Nothing written: every package must be fetched and valid before facts change.")
        elif self.dry_run:
            out.append("Dry run: nothing written.")
        elif self.written:
            when = f"{self.fetched_at:%Y-%m-%d %H:%M} UTC"
            out.append(f"Facts of {len(self.checked)} framework(s) written at {when}.")
        return out


def refresh_facts(
    *, frameworks: list[str] | None = None, dry_run: bool = False, stdout: TextIO | None = None
) -> FactsReport:
    """Fetch the facts of every framework with a package (or those slugs), then write all or nothing."""
    report = FactsReport(dry_run=dry_run)
    queryset = Framework.objects.exclude(package="").order_by("sort_order", "pk")
    if frameworks:
        queryset = queryset.filter(slug__in=frameworks)
    targets = list(queryset)
    fetched: dict[int, PackageFacts] = {}
    client = index_client()
    with client:
        for framework in targets:
            report.checked.append(framework.slug)
            try:
                fetched[framework.pk] = fetch_facts(framework.package, client=client)
            except RegistryError as error:
                report.failures[framework.slug] = str(error)

    existing = {
        facts.framework_id: facts
        for facts in FrameworkFacts.objects.filter(framework__in=targets).prefetch_related("advisories")
    }
    for framework in targets:
        if framework.pk in fetched:
            old, new = existing.get(framework.pk), fetched[framework.pk]
            report.changes[framework.slug] = describe_changes(old, new)

    if report.ok and not dry_run and targets:
        report.fetched_at = timezone.now()
        with transaction.atomic():
            for framework in targets:
                save_facts(framework, fetched[framework.pk], fetched_at=report.fetched_at)
            bump_content_version()
        report.written = True
    if stdout is not None:
        for line in report.lines():
            stdout.write(line + "\n")
    return report


def save_facts(framework: Framework, data: PackageFacts, *, fetched_at: datetime.datetime) -> FrameworkFacts:
    """Replace a framework's facts and advisories with `data` (call inside a transaction)."""
    values = {name: getattr(data, name) for name in FACT_FIELDS}
    values["python_versions"] = list(data.python_versions)
    values["yanked"] = list(data.yanked)
    facts, _ = FrameworkFacts.objects.update_or_create(
        framework=framework, defaults={**values, "fetched_at": fetched_at}
    )
    facts.advisories.all().delete()
    Advisory.objects.bulk_create(
        Advisory(
            facts=facts,
            advisory_id=advisory.id,
            summary=advisory.summary,
            fixed_in=list(advisory.fixed_in),
            url=advisory.url,
            aliases=list(advisory.aliases),
        )
        for advisory in data.advisories
    )
    return facts


def describe_changes(old: FrameworkFacts | None, new: PackageFacts) -> list[str]:
    """Human lines for what differs between stored facts and freshly fetched ones."""
    if old is None:
        released = f" (released {new.latest_release_date})" if new.latest_release_date else ""
        lines = [f"first facts: {new.package} {new.latest_version}{released}"]
        lines += [f"open advisory {a.id}: {a.summary}" for a in new.advisories]
        return lines
    lines = []
    if old.latest_version != new.latest_version:
        released = f" (released {new.latest_release_date})" if new.latest_release_date else ""
        lines.append(f"new version {old.latest_version} → {new.latest_version}{released}")
    old_ids = {a.advisory_id for a in old.advisories.all()}
    new_ids = {a.id for a in new.advisories}
    lines += [f"new advisory {a.id}: {a.summary}" for a in new.advisories if a.id not in old_ids]
    lines += [f"advisory {i} no longer listed" for i in sorted(old_ids - new_ids)]
    lines += [f"yanked {v}" for v in new.yanked if v not in old.yanked]
    if old.requires_python != new.requires_python:
        lines.append(f"requires Python {old.requires_python or '(any)'} → {new.requires_python or '(any)'}")
    if list(old.python_versions) != list(new.python_versions):
        before = ", ".join(old.python_versions) or "(none)"
        lines.append(f"Python versions {before} → {', '.join(new.python_versions) or '(none)'}")
    if old.license != new.license:
        lines.append(f"licence {old.license or '(none)'} → {new.license or '(none)'}")
    return lines


# --- The seed file: today's facts, so a fresh site shows them offline ---------------------


def facts_to_seed() -> dict:
    """The stored facts of every framework, as the seed file holds them."""
    rows = FrameworkFacts.objects.select_related("framework").prefetch_related("advisories")
    return {
        "facts": [
            {
                "framework": facts.framework.slug,
                **{name: _plain(getattr(facts, name)) for name in FACT_FIELDS},
                "advisories": [
                    {
                        "id": a.advisory_id,
                        "summary": a.summary,
                        "fixed_in": a.fixed_in,
                        "url": a.url,
                        "aliases": a.aliases,
                    }
                    for a in facts.advisories.all()
                ],
                "fetched_at": facts.fetched_at.isoformat(),
            }
            for facts in sorted(rows, key=lambda f: (f.framework.sort_order, f.framework.pk))
        ]
    }


def write_facts_seed(path=FACTS_SEED_FILE) -> int:
    document = facts_to_seed()
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(document["facts"])


def read_facts_seed(path=FACTS_SEED_FILE) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["facts"]


def seed_facts(items: list[dict], *, loaded: set[str]) -> tuple[list[str], int]:
    """Create facts from seed items never loaded before, for frameworks without facts.

    Returns the seed keys to record and how many facts were created; an editor's or a
    refresh's later facts are never overwritten.
    """
    frameworks = {f.slug: f for f in Framework.objects.filter(slug__in=[i["framework"] for i in items])}
    has_facts = set(
        FrameworkFacts.objects.filter(framework__in=frameworks.values()).values_list(
            "framework__slug", flat=True
        )
    )
    recorded, created = [], 0
    for item in items:
        key = f"facts:{item['framework']}"
        framework = frameworks.get(item["framework"])
        if key in loaded or framework is None:
            continue
        if item["framework"] not in has_facts:
            fetched_at = datetime.datetime.fromisoformat(item["fetched_at"])
            save_facts(framework, _package_facts(item), fetched_at=fetched_at)
            created += 1
        recorded.append(key)
    return recorded, created


def _package_facts(item: dict) -> PackageFacts:
    def day(value):
        return datetime.date.fromisoformat(value) if value else None

    return PackageFacts(
        package=item["package"],
        latest_version=item["latest_version"],
        latest_release_date=day(item.get("latest_release_date")),
        first_release_date=day(item.get("first_release_date")),
        requires_python=item.get("requires_python", ""),
        python_versions=tuple(item.get("python_versions", ())),
        license=item.get("license", ""),
        yanked=tuple(item.get("yanked", ())),
        advisories=tuple(
            AdvisoryData(
                id=a["id"],
                summary=a.get("summary", ""),
                fixed_in=tuple(a.get("fixed_in", ())),
                url=a.get("url", ""),
                aliases=tuple(a.get("aliases", ())),
            )
            for a in item.get("advisories", ())
        ),
    )


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value
