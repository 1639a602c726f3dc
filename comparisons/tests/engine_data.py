"""Snapshots for engine tests, built without a database."""

from comparisons import engine
from comparisons.matrix_io import SEED_FILE, matrix_read


def seed_snapshot() -> engine.Snapshot:
    """The snapshot the seed content produces, read from the seed file by the import's own checks."""
    data = matrix_read(SEED_FILE.read_text(encoding="utf-8"), header=False)
    ratings: dict[str, dict[str, engine.RatingInfo]] = {}
    for r in data["ratings"]:
        ratings.setdefault(r["framework"], {})[r["aspect"]] = engine.RatingInfo(r["score"], r["label"])
    return engine.Snapshot(
        frameworks=tuple(
            engine.FrameworkInfo(f["slug"], f["name"], ratings.get(f["slug"], {})) for f in data["frameworks"]
        ),
        aspects=tuple(engine.AspectInfo(a["slug"], a["name"], a["kind"] != "text") for a in data["aspects"]),
        questions=tuple(
            engine.QuestionInfo(
                q["slug"],
                q["prompt"],
                q["kind"],
                tuple(
                    engine.OptionInfo(o["slug"], o["label"], o["weights"], tuple(o["scenarios"]))
                    for o in q["options"]
                ),
                context=q.get("context", False),
            )
            for q in data["questions"]
        ),
        scenarios=tuple(
            engine.ScenarioInfo(
                s["slug"],
                s["situation"],
                s["framework"],
                s["companion"],
                tuple(s["alternatives"]),
                separate_service=s.get("separate_service", False),
            )
            for s in data["scenarios"]
        ),
        companions=tuple(
            engine.CompanionInfo(
                c["slug"],
                c["name"],
                c["package"],
                c["docs_url"],
                tuple(c["frameworks"]),
                dict(c["covers"]),
                tuple(c["scenarios"]),
                c["note"],
            )
            for c in data.get("companions", ())
        ),
    )
