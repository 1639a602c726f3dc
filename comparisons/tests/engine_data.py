"""Snapshots for engine tests, built without a database."""

import json
import random
from pathlib import Path

from comparisons.engine import (
    AspectInfo,
    FrameworkInfo,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
)

SEED = Path(__file__).resolve().parent.parent / "seed" / "matrix.json"


def seed_snapshot() -> Snapshot:
    """The snapshot the seed content produces, read straight from the seed file."""
    data = json.loads(SEED.read_text(encoding="utf-8"))
    ratings: dict[str, dict[str, RatingInfo]] = {}
    for r in data["ratings"]:
        ratings.setdefault(r["framework"], {})[r["aspect"]] = RatingInfo(r["score"], r["label"])
    return Snapshot(
        frameworks=tuple(
            FrameworkInfo(f["slug"], f["name"], ratings.get(f["slug"], {}))
            for f in data["frameworks"]
        ),
        aspects=tuple(
            AspectInfo(a["slug"], a["name"], a["kind"] != "text") for a in data["aspects"]
        ),
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
            ScenarioInfo(s["slug"], s["situation"], s["framework"], s.get("companion", ""))
            for s in data["scenarios"]
        ),
    )


def synthetic_snapshot(frameworks=100, aspects=40, questions=10, options=6, seed=7) -> Snapshot:
    """A large random matrix and chooser, for speed checks."""
    rng = random.Random(seed)
    aspect_slugs = [f"a{i}" for i in range(aspects)]
    return Snapshot(
        frameworks=tuple(
            FrameworkInfo(
                f"f{i}",
                f"Framework {i}",
                {a: RatingInfo(rng.randint(0, 5), "label") for a in aspect_slugs},
            )
            for i in range(frameworks)
        ),
        aspects=tuple(AspectInfo(a, a.upper()) for a in aspect_slugs),
        questions=tuple(
            QuestionInfo(
                f"q{q}",
                f"Question {q}",
                "multiple" if q % 3 == 0 else "single",
                tuple(
                    OptionInfo(
                        f"o{o}",
                        f"Option {o}",
                        {a: rng.choice([-3, -2, -1, 1, 2, 3]) for a in rng.sample(aspect_slugs, 4)},
                        (f"s{rng.randrange(frameworks)}",),
                    )
                    for o in range(options)
                ),
            )
            for q in range(questions)
        ),
        scenarios=tuple(ScenarioInfo(f"s{i}", f"Scenario {i}", f"f{i}") for i in range(frameworks)),
    )
