"""Shapes the comparison matrix for templates: rows of aspects, a cell per framework."""


def _comparable(aspect, rating):
    """What "differs" compares: the score where the aspect has one, else the label."""
    if rating is None:
        return None
    if aspect.is_numeric:
        return ("score", rating.score)
    return ("label", rating.label.strip().casefold())


def build_matrix(frameworks, aspects, ratings=None, histories=None) -> dict:
    """Rows of (aspect, [rating or None per framework]) from frameworks with prefetched ratings.

    `ratings` ((framework id, aspect id) → rating) replaces the prefetched ratings, for
    a matrix as it was on a past date; `histories` adds each cell's own history
    (comparisons.history.cell_histories).

    A row differs when its frameworks' scores differ (scored and yes/no aspects) or
    their labels do (text aspects), so the same score in other words is no difference;
    a missing rating differs from any given one.
    """
    if ratings is None:
        ratings = {(r.framework_id, r.aspect_id): r for f in frameworks for r in f.ratings.all()}
    by_pair = ratings
    histories = histories or {}
    rows = []
    for aspect in aspects:
        cells = [by_pair.get((f.pk, aspect.pk)) for f in frameworks]
        scores = [c.score for c in cells if c is not None and c.score is not None]
        best = max(scores) if scores else None
        differs = len({_comparable(aspect, c) for c in cells}) > 1
        rows.append(
            {
                "aspect": aspect,
                "cells": [
                    {
                        "framework": f,
                        "rating": cell,
                        "history": histories.get((f.pk, aspect.pk)) if cell is not None else None,
                        "leads": cell is not None
                        and aspect.is_numeric
                        and cell.score == best
                        and len(set(scores)) > 1,
                    }
                    for f, cell in zip(frameworks, cells, strict=True)
                ],
                "differs": differs,
            }
        )
    return {"frameworks": frameworks, "rows": rows}
