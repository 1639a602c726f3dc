"""The engine alone on a large synthetic matrix: 100 frameworks x 40 aspects x 10 questions.

The budget is 2 ms a call. Each workload runs the engine of this tree and, for
comparison on the same (possibly busy) machine in the same run, the engine before
Chooser 2.0 (commit BASELINE, read with git). Figures are the median and best wall
time, the median CPU time of the process, and the median with the JSON-ready dict.
    .venv/bin/python bench/engine.py
"""

import importlib.util
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import comparisons.engine as eng  # noqa: E402

BUDGET_MS = 2.0
BASELINE = "9c65b69"  # the engine before must-haves, companions, constraints and sensitivity


def synthetic_snapshot(module, frameworks=100, aspects=40, questions=10, options=6, seed=7, extras=True):
    """A large random matrix and chooser; with extras, companions, release facts and context questions."""
    rng = random.Random(seed)
    aspect_slugs = [f"a{i}" for i in range(aspects)]
    fw_slugs = [f"f{i}" for i in range(frameworks)]
    kwargs = {}
    framework_list = []
    for slug in fw_slugs:
        ratings = {a: module.RatingInfo(rng.randint(0, 5), "label") for a in aspect_slugs}
        extra = {}
        if extras:
            versions = tuple(f"3.{minor}" for minor in range(rng.randint(8, 11), 14))
            extra["facts"] = module.FactsInfo(
                package=slug,
                python_versions=versions,
                supported_until=f"20{rng.randint(25, 30)}-0{rng.randint(1, 9)}-01",
                advisories=(module.AdvisoryInfo("ADV-1"),) if rng.random() < 0.1 else (),
            )
        framework_list.append(module.FrameworkInfo(slug, f"Framework {slug}", ratings, **extra))
    question_list = []
    for q in range(questions):
        extra = {"context": q < 2} if extras else {}
        question_list.append(
            module.QuestionInfo(
                f"q{q}",
                f"Question {q}",
                "multiple" if q % 3 == 0 else "single",
                tuple(
                    module.OptionInfo(
                        f"o{o}",
                        f"Option {o}",
                        {a: rng.choice([-3, -2, -1, 1, 2, 3]) for a in rng.sample(aspect_slugs, 4)},
                        (f"s{rng.randrange(frameworks)}",),
                    )
                    for o in range(options)
                ),
                **extra,
            )
        )
    scenario_list = tuple(
        module.ScenarioInfo(
            f"s{i}", f"Scenario {i}", f"f{i}", **({"separate_service": i % 5 == 0} if extras else {})
        )
        for i in range(frameworks)
    )
    if extras:
        kwargs["companions"] = tuple(
            module.CompanionInfo(
                f"c{i}",
                f"Companion {i}",
                f"companion-{i}",
                frameworks=tuple(rng.sample(fw_slugs, rng.randint(1, 2))),
                covers={a: rng.randint(2, 5) for a in rng.sample(aspect_slugs, rng.randint(1, 3))},
                scenarios=(f"s{rng.randrange(frameworks)}",) if rng.random() < 0.3 else (),
            )
            for i in range(150)
        )
    return module.Snapshot(
        frameworks=tuple(framework_list),
        aspects=tuple(module.AspectInfo(a, a.upper()) for a in aspect_slugs),
        questions=tuple(question_list),
        scenarios=scenario_list,
        **kwargs,
    )


def baseline_engine():
    """The engine at BASELINE as a module, or None outside a git checkout."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE}:comparisons/engine.py"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("engine_baseline", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules["engine_baseline"] = module
    exec(compile(source, "engine_baseline.py", "exec"), module.__dict__)  # noqa: S102
    return module


def timings(call, runs=200) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call."""
    call()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def row(label, call, to_dict) -> None:
    wall, cpu = timings(call)
    full, _ = timings(lambda: to_dict(call()), runs=100)
    print(
        f"{label:<44} {statistics.median(wall):>9.2f} {min(wall):>8.2f} "
        f"{statistics.median(cpu):>8.2f} {statistics.median(full):>9.2f}"
    )


def main() -> None:
    snapshot = synthetic_snapshot(eng)
    old = baseline_engine()
    old_snapshot = synthetic_snapshot(old, extras=False) if old else None
    aspects = [a.slug for a in snapshot.aspects]
    must_have = (aspects[0], aspects[1])
    constraints = eng.Constraints(python="3.12", supported_until="2026-06-01")
    print("engine: 100 frameworks x 40 aspects x 10 questions (6 options each), 150 companions")
    print(f"{'workload':<44} {'median ms':>9} {'best ms':>8} {'cpu ms':>8} {'+dict ms':>9}")
    for k in range(3):
        answers = {q.slug: (q.options[k].slug,) for q in snapshot.questions}
        result = eng.recommend(snapshot, answers, must_have=must_have, constraints=constraints)
        print(
            f"option {k} on every question: verdict {result.verdict}, margin {result.margin}, "
            f"{sum(1 for r in result.ranking if r.ruled_out)} ruled out, "
            f"{len(result.sensitivity)} sensitivities, flip {'yes' if result.flip else 'no'}"
        )
        if old is not None:
            old_answers = {q.slug: (q.options[k].slug,) for q in old_snapshot.questions}
            row(
                "  before (answers only)",
                lambda a=old_answers: old.recommend(old_snapshot, a),
                old.result_to_dict,
            )
        row("  now, answers only", lambda a=answers: eng.recommend(snapshot, a), eng.result_to_dict)
        row(
            "  now, + must-haves, constraints",
            lambda a=answers: eng.recommend(snapshot, a, must_have=must_have, constraints=constraints),
            eng.result_to_dict,
        )
    print(f"budget: {BUDGET_MS:.1f} ms per call (sensitivity, stacks and ruled-out reasons always included)")


if __name__ == "__main__":
    main()
