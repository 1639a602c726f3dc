"""The engine alone on a large synthetic matrix: 100 frameworks x 40 aspects x 10 questions.

The budget is 2 ms a call. Prints the median and best of many calls, with and
without turning the result into its JSON-ready dict.
    .venv/bin/python bench/engine.py
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import comparisons.engine as eng  # noqa: E402

BUDGET_MS = 2.0


def synthetic_snapshot(frameworks=100, aspects=40, questions=10, options=6, seed=7) -> eng.Snapshot:
    """A large random matrix and chooser, for speed checks."""
    rng = random.Random(seed)
    aspect_slugs = [f"a{i}" for i in range(aspects)]
    return eng.Snapshot(
        frameworks=tuple(
            eng.FrameworkInfo(
                f"f{i}",
                f"Framework {i}",
                {a: eng.RatingInfo(rng.randint(0, 5), "label") for a in aspect_slugs},
            )
            for i in range(frameworks)
        ),
        aspects=tuple(eng.AspectInfo(a, a.upper()) for a in aspect_slugs),
        questions=tuple(
            eng.QuestionInfo(
                f"q{q}",
                f"Question {q}",
                "multiple" if q % 3 == 0 else "single",
                tuple(
                    eng.OptionInfo(
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
        scenarios=tuple(eng.ScenarioInfo(f"s{i}", f"Scenario {i}", f"f{i}") for i in range(frameworks)),
    )


def timings(call, runs=300) -> list[float]:
    call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    snapshot = synthetic_snapshot()
    print("engine: 100 frameworks x 40 aspects x 10 questions (6 options each)")
    print(f"{'answers':<28} {'median ms':>10} {'best ms':>8} {'+dict ms':>9}  close call")
    rows = []
    for k in range(3):
        answers = {q.slug: (q.options[k].slug,) for q in snapshot.questions}
        plain = timings(lambda answers=answers: eng.recommend(snapshot, answers))
        full = timings(lambda answers=answers: eng.result_to_dict(eng.recommend(snapshot, answers)))
        close = eng.recommend(snapshot, answers).close_call
        rows.append({"median_ms": statistics.median(plain), "dict_ms": statistics.median(full)})
        print(
            f"{'option ' + str(k) + ' on every question':<28} {statistics.median(plain):>10.2f} "
            f"{min(plain):>8.2f} {statistics.median(full):>9.2f}  {close}"
        )
    print(f"budget: {BUDGET_MS:.1f} ms per call")
    if "--no-record" not in sys.argv:
        import _serve

        _serve.record("engine", {"budget_ms": BUDGET_MS, "answer_sets": rows})


if __name__ == "__main__":
    main()
