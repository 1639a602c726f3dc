"""Builds the engine's snapshot from the database and keeps it per process.

The snapshot holds published content only, and is rebuilt only when the content
version (core.content_version) changes: every publish, unpublish or delete of a
framework, aspect, rating, scenario, question, option, weight or companion bumps it
(registered in apps.py); a draft save does not.
"""

import threading

from django.db import transaction

from comparisons.engine import (
    AspectInfo,
    CompanionInfo,
    FrameworkInfo,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
)
from comparisons.models import Aspect, Companion, Framework, Question, Scenario
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
        )
        for framework in Framework.objects.published().with_ratings()
    ]
    questions = [
        QuestionInfo(
            slug=question.slug,
            prompt=question.prompt,
            kind=question.kind,
            context=question.context,
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
            separate_service=s.separate_service,
        )
        for s in Scenario.objects.published().with_framework()
    ]
    # Only links to published frameworks and scenarios: a companion never names what readers cannot see.
    companions = [
        CompanionInfo(
            slug=c.slug,
            name=c.name,
            package=c.package,
            docs_url=c.docs_url,
            frameworks=tuple(f.slug for f in c.frameworks.all()),
            covers={row.aspect.slug: row.level for row in c.coverage.all() if row.aspect.is_numeric},
            scenarios=tuple(s.slug for s in c.scenarios.all()),
            note=c.note,
        )
        for c in Companion.objects.published().with_coverage()
    ]
    return Snapshot(
        frameworks=tuple(frameworks),
        aspects=tuple(AspectInfo(a.slug, a.name, a.is_numeric) for a in aspects),
        questions=tuple(questions),
        scenarios=tuple(scenarios),
        companions=tuple(companions),
    )
