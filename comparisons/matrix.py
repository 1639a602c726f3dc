"""Shapes the comparison matrix for templates: rows of aspects, a cell per framework."""


def build_matrix(frameworks, aspects) -> dict:
    """Rows of (aspect, [rating or None per framework]) from frameworks with prefetched ratings."""
    by_pair = {(r.framework_id, r.aspect_id): r for f in frameworks for r in f.ratings.all()}
    rows = []
    for aspect in aspects:
        cells = [by_pair.get((f.pk, aspect.pk)) for f in frameworks]
        scores = [c.score for c in cells if c is not None and c.score is not None]
        best = max(scores) if scores else None
        differs = len({c.label if c else None for c in cells}) > 1 or len(set(scores)) > 1
        rows.append(
            {
                "aspect": aspect,
                "cells": [
                    {
                        "framework": f,
                        "rating": cell,
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
