"""Snapshots for engine tests, built without a database."""

from comparisons.engine import (
    AspectInfo,
    FrameworkInfo,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
)
from comparisons.matrix_io import SEED_FILE, matrix_read


def seed_snapshot() -> Snapshot:
    """The snapshot the seed content produces, read from the seed file by the import's own checks."""
    data = matrix_read(SEED_FILE.read_text(encoding="utf-8"), header=False)
    ratings: dict[str, dict[str, RatingInfo]] = {}
    for r in data["ratings"]:
        ratings.setdefault(r["framework"], {})[r["aspect"]] = RatingInfo(r["score"], r["label"])
    return Snapshot(
        frameworks=tuple(
            FrameworkInfo(f["slug"], f["name"], ratings.get(f["slug"], {})) for f in data["frameworks"]
        ),
        aspects=tuple(AspectInfo(a["slug"], a["name"], a["kind"] != "text") for a in data["aspects"]),
        questions=tuple(
            QuestionInfo(
                q["slug"],
                q["prompt"],
                q["kind"],
                tuple(
                    OptionInfo(o["slug"], o["label"], o["weights"], tuple(o["scenarios"]))
                    for o in q["options"]
                ),
            )
            for q in data["questions"]
        ),
        scenarios=tuple(
            ScenarioInfo(s["slug"], s["situation"], s["framework"], s["companion"], tuple(s["alternatives"]))
            for s in data["scenarios"]
        ),
    )
