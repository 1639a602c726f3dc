"""Builds the engine's snapshot from the database and keeps it per process.

The snapshot is rebuilt only when the content version changes: every save or
delete of a framework, aspect, rating, scenario, question, option or weight
bumps it (see `bump_content_version`, connected in apps.py). Code that writes
in bulk (QuerySet.update, bulk_create, raw SQL) must call it itself.
"""

import datetime
import secrets
import threading

from django.db import connection, transaction
from django.utils import timezone

from comparisons.engine import (
    AspectInfo,
    FrameworkInfo,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
)
from comparisons.models import Aspect, ContentVersion, Framework, Question, Scenario

VERSION_KEY = "matrix"

_lock = threading.Lock()
_cached: tuple[int, Snapshot] | None = None


_VERSION_SQL = f"SELECT token FROM {ContentVersion._meta.db_table} WHERE key = %s"
_STATE_SQL = f"SELECT token, changed_at FROM {ContentVersion._meta.db_table} WHERE key = %s"


def content_version() -> int:
    # Raw SQL: this runs on every recommendation, and the ORM's query
    # compilation costs more than the indexed read itself.
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [VERSION_KEY])
        row = cursor.fetchone()
    return row[0] if row else 0


def content_state():
    """(token, changed_at) of the content: the validators for HTTP conditional requests."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [VERSION_KEY])
        row = cursor.fetchone()
    if not row:
        return 0, None
    token, changed_at = row
    # SQLite hands back text for raw reads; the ORM's converters are skipped here.
    if isinstance(changed_at, str):
        changed_at = ContentVersion._meta.get_field("changed_at").to_python(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, datetime.UTC)
    return token, changed_at


def bump_content_version(**kwargs) -> None:
    """Signal receiver: the matrix or chooser changed, so every process must rebuild."""
    token = secrets.randbits(62)
    # update() skips auto_now, and Last-Modified is read from changed_at.
    updated = ContentVersion.objects.filter(key=VERSION_KEY).update(token=token, changed_at=timezone.now())
    if not updated:
        ContentVersion.objects.update_or_create(key=VERSION_KEY, defaults={"token": token})


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
    from portal.models import framework_guide_urls

    guide_urls = framework_guide_urls(None) if guide_urls is None else guide_urls
    aspects = list(Aspect.objects.all())
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
        for framework in Framework.objects.with_ratings()
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
        for question in Question.objects.with_options()
    ]
    scenarios = [
        ScenarioInfo(s.slug, s.situation, s.framework.slug, s.companion)
        for s in Scenario.objects.with_framework()
    ]
    return Snapshot(
        frameworks=tuple(frameworks),
        aspects=tuple(AspectInfo(a.slug, a.name, a.is_numeric) for a in aspects),
        questions=tuple(questions),
        scenarios=tuple(scenarios),
    )
