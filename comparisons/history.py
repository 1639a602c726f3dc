"""The matrix's public history: what changed when, each cell's own story, and the matrix as of a date.

Everything is read from `RatingChange`, which records each published change of a
cell (added, changed, removed) with its old and new values, so the matrix of any
past date is today's published matrix with the later changes undone.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from comparisons.models import Aspect, ChangeKind, Framework, Rating, RatingChange, day_start


class BadDate(ValueError):
    """A date parameter that is not a real YYYY-MM-DD date; the message names the parameter."""


def parse_day(raw: str | None, name: str) -> datetime.date | None:
    """The date in a query parameter, None when it is absent or empty."""
    if raw is None or not raw.strip():
        return None
    message = f"“{name}” must be a date written YYYY-MM-DD, like 2026-11-12; got “{raw[:40]}”."
    if not ISO_DAY.match(raw.strip()):
        raise BadDate(message)
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise BadDate(message) from None


ISO_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


@dataclass(frozen=True)
class CellHistory:
    """How often a published cell changed, and what it said before its latest change."""

    changes: int
    previous_label: str
    changed_on: datetime.date

    @property
    def text(self) -> str:
        """ "Changed twice; was “Steep” until 2026-11-12"."""
        times = {1: "once", 2: "twice"}.get(self.changes, f"{self.changes} times")
        return f"Changed {times}; was “{self.previous_label}” until {self.changed_on.isoformat()}"


def cell_histories() -> dict[tuple[int, int], CellHistory]:
    """(framework id, aspect id) → its history, for cells changed at least once: one query."""
    rows = (
        RatingChange.objects.filter(kind=ChangeKind.CHANGED)
        .order_by("changed_at", "pk")
        .values_list("framework_id", "aspect_id", "old_label", "changed_at")
    )
    histories = {}
    for framework_id, aspect_id, old_label, changed_at in rows:
        key = (framework_id, aspect_id)
        count = histories[key].changes + 1 if key in histories else 1
        histories[key] = CellHistory(count, old_label, timezone.localdate(changed_at))
    return histories


def describe_change(change) -> str:
    """One line for a change, as the feed and the history page word it."""

    def value(label, score):
        return f"“{label}” ({score}/5)" if score is not None else f"“{label}”"

    if change.kind == ChangeKind.ADDED:
        return f"Rated {value(change.new_label, change.new_score)}"
    if change.kind == ChangeKind.REMOVED:
        return f"Removed {value(change.old_label, change.old_score)}"
    if (change.old_label, change.old_score) == (change.new_label, change.new_score):
        return f"Note updated for {value(change.new_label, change.new_score)}"
    return f"{value(change.old_label, change.old_score)} → {value(change.new_label, change.new_score)}"


def history_start() -> datetime.date | None:
    """The first day the history covers: when the first cell was recorded as added."""
    first = RatingChange.objects.filter(kind=ChangeKind.ADDED).aggregate(first=Min("changed_at"))["first"]
    return timezone.localdate(first) if first else None


@dataclass(frozen=True)
class PastRating:
    """A cell as it was published on a past date: what readers saw, without today's review data."""

    framework_id: int
    aspect_id: int
    label: str
    score: int | None
    note: str
    sources: tuple = ()
    reviewed_on: None = None
    needs_review: bool = False
    source_url: str = ""


@dataclass(frozen=True)
class PastMatrix:
    frameworks: list
    aspects: list
    ratings: dict  # (framework id, aspect id) -> Rating or PastRating


def matrix_as_of(day: datetime.date) -> PastMatrix:
    """The published matrix at the end of `day`: today's cells with every later change undone.

    Four queries whatever the size of the history: today's published ratings, the
    changes after that day, and the frameworks and aspects they name.
    """
    current = {
        (r.framework_id, r.aspect_id): r
        for r in Rating.objects.published().select_related("source_page").order_by("pk")
    }
    later = RatingChange.objects.filter(changed_at__gte=day_start(day + datetime.timedelta(days=1)))
    # The oldest change after the day holds the cell's value on that day.
    undo = {}
    for change in later.order_by("-changed_at", "-pk"):
        undo[(change.framework_id, change.aspect_id)] = change
    cells = dict(current)
    for key, change in undo.items():
        if change.kind == ChangeKind.ADDED:
            cells.pop(key, None)
        else:
            cells[key] = PastRating(
                framework_id=key[0],
                aspect_id=key[1],
                label=change.old_label,
                score=change.old_score,
                note=change.old_note,
            )
    framework_ids = {key[0] for key in cells}
    aspect_ids = {key[1] for key in cells}
    frameworks = list(Framework.objects.filter(pk__in=framework_ids).order_by("sort_order", "pk"))
    aspects = list(Aspect.objects.filter(pk__in=aspect_ids).order_by("sort_order", "pk"))
    return PastMatrix(frameworks=frameworks, aspects=aspects, ratings=cells)
