"""build_matrix: which rows differ and which cells lead, over plain objects."""

from dataclasses import dataclass, field

import pytest

from comparisons.matrix import build_matrix
from comparisons.models import Aspect, AspectKind


@dataclass
class FakeRating:
    framework_id: int
    aspect_id: int
    score: int | None
    label: str


@dataclass
class FakeRatings:
    items: list = field(default_factory=list)

    def all(self):
        return self.items


@dataclass
class FakeFramework:
    pk: int
    ratings: FakeRatings = field(default_factory=FakeRatings)


def one_row(kind, cells):
    """The row build_matrix makes for one aspect of `kind`, each cell a (score, label) or None."""
    aspect = Aspect(pk=1, kind=kind, name="Aspect", slug="aspect")
    frameworks = []
    for pk, cell in enumerate(cells, start=1):
        framework = FakeFramework(pk=pk)
        if cell is not None:
            framework.ratings.items.append(FakeRating(pk, aspect.pk, *cell))
        frameworks.append(framework)
    return build_matrix(frameworks, [aspect])["rows"][0]


@pytest.mark.parametrize(
    ("kind", "cells", "differs"),
    [
        # Scored aspects compare scores: the same score in other words is no difference.
        (AspectKind.SCORED, [(4, "Long tail of extensions"), (4, "Fastest-growing")], False),
        (AspectKind.SCORED, [(4, "Good"), (3, "Good")], True),
        (AspectKind.SCORED, [(5, "Native"), (5, "Native"), (2, "Partial")], True),
        (AspectKind.SCORED, [(3, "Good"), (3, "Good"), (3, "Fine"), (3, "Solid"), (3, "OK")], False),
        # Yes/no aspects compare yes with no, not the wording around it.
        (AspectKind.BOOLEAN, [(0, "No"), (0, "No (use SQLAlchemy/SQLModel)")], False),
        (AspectKind.BOOLEAN, [(0, "No"), (5, "Yes")], True),
        # Text aspects have only their label; case and outer spaces do not count.
        (AspectKind.TEXT, [(None, "Micro-framework"), (None, "Full-stack")], True),
        (AspectKind.TEXT, [(None, "Small apps"), (None, " small apps ")], False),
        # A missing rating differs from a given one, but two missing ones agree.
        (AspectKind.SCORED, [(4, "Good"), None], True),
        (AspectKind.TEXT, [None, None], False),
        (AspectKind.SCORED, [(2, "Partial")], False),
    ],
)
def test_a_row_differs_by_score_on_scored_aspects_and_by_label_on_text(kind, cells, differs):
    assert one_row(kind, cells)["differs"] is differs


@pytest.mark.parametrize(
    ("kind", "cells", "leaders"),
    [
        (AspectKind.SCORED, [(3, "Good"), (5, "Excellent"), (5, "Native")], [False, True, True]),
        (AspectKind.SCORED, [(4, "A"), (4, "B")], [False, False]),
        (AspectKind.BOOLEAN, [(0, "No"), (5, "Yes")], [False, True]),
        (AspectKind.TEXT, [(None, "A"), (None, "B")], [False, False]),
    ],
)
def test_the_best_score_leads_only_when_scores_differ(kind, cells, leaders):
    assert [cell["leads"] for cell in one_row(kind, cells)["cells"]] == leaders
