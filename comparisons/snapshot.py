"""Builds the engine's snapshot from the database and keeps it per process.

The snapshot holds published content only, and is rebuilt only when the content
version (core.content_version) changes: every publish, unpublish or delete of a
framework, aspect, rating, scenario, question, option or weight bumps it
(registered in apps.py); a draft save does not.
"""

import threading

from django.db import transaction

from comparisons.engine import (
    AdvisoryInfo,
    AspectInfo,
    FactsInfo,
    FrameworkInfo,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ReleaseLineInfo,
    ScenarioInfo,
    Snapshot,
)
from comparisons.models import Aspect, Framework, Question, Scenario
from core.content_version import content_version

_lock = threading.Lock()
_cached: tuple[int, Snapshot] | None = None


def get_snapshot() -> Snapshot:
    """The current snapshot: one small query when nothing changed, a rebuild when it did."""
    global _cached
    version = content_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock, transaction.atomic():
        version = content_version()
        snapshot = build_snapshot()
        _cached = (version, snapshot)
    return snapshot


def forget_snapshot() -> None:
    global _cached
    _cached = None


def build_snapshot(guide_urls: dict[int, str] | None = None) -> Snapshot:
    """Read the matrix, scenarios and chooser into a frozen Snapshot, in constant queries."""
    guide_urls = Framework.objects.published().guide_urls() if guide_urls is None else guide_urls
    aspects = list(Aspect.objects.published())
    frameworks = [
        FrameworkInfo(
            slug=framework.slug,
            name=framework.name,
            guide_url=guide_urls.get(framework.pk, ""),
            ratings={
                rating.aspect.slug: RatingInfo(rating.score, rating.label, rating.source_url)
                for rating in framework.ratings.all()
            },
            facts=facts_info(framework),
        )
        for framework in Framework.objects.published().with_ratings().with_facts()
    ]
    questions = [
        QuestionInfo(
            slug=question.slug,
            prompt=question.prompt,
            kind=question.kind,
            options=tuple(
                OptionInfo(
                    slug=option.slug,
                    label=option.label,
                    weights={w.aspect.slug: w.weight for w in option.weights.all()},
                    scenarios=tuple(s.slug for s in option.scenarios.all()),
                )
                for option in question.options.all()
            ),
        )
        for question in Question.objects.published().with_options()
    ]
    scenarios = [
        ScenarioInfo(
            s.slug,
            s.situation,
            s.framework.slug,
            s.companion,
            tuple(f.slug for f in s.alternatives.all() if f.pk != s.framework_id),
        )
        for s in Scenario.objects.published().with_framework()
    ]
    return Snapshot(
        frameworks=tuple(frameworks),
        aspects=tuple(AspectInfo(a.slug, a.name, a.is_numeric) for a in aspects),
        questions=tuple(questions),
        scenarios=tuple(scenarios),
    )


def facts_info(framework: Framework) -> FactsInfo | None:
    """The framework's release facts for the engine, from prefetched facts and release lines.

    None when nothing is known: no package fetched and no release line curated.
    """
    facts = framework.fetched_facts
    lines = list(framework.release_lines.all())
    if facts is None and not lines:
        return None
    until = framework.supported_until
    return FactsInfo(
        package=facts.package if facts else framework.package,
        latest_version=facts.latest_version if facts else "",
        latest_release_date=_iso(facts.latest_release_date) if facts else "",
        first_release_date=_iso(facts.first_release_date) if facts else "",
        requires_python=facts.requires_python if facts else "",
        python_versions=tuple(facts.python_versions) if facts else (),
        license=facts.license if facts else "",
        release_lines=tuple(
            ReleaseLineInfo(line.version, line.lts, _iso(line.end_of_support), line.source) for line in lines
        ),
        advisories=tuple(
            AdvisoryInfo(a.advisory_id, a.summary, tuple(a.fixed_in), a.url) for a in facts.advisories.all()
        )
        if facts
        else (),
        supported_until=_iso(until),
        fetched_at=facts.fetched_at.isoformat() if facts else "",
    )


def _iso(day) -> str:
    return day.isoformat() if day else ""
