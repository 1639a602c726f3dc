"""Has a saved decision gone stale? Plain Python over two results: no ORM, no request."""

from dataclasses import dataclass

# A recommended framework's score moving this much (0-100 scale) counts as drift.
SCORE_DRIFT = 5.0


@dataclass(frozen=True)
class Drift:
    was: str
    was_name: str
    now: str
    now_name: str
    score_before: float
    score_after: float
    changes: tuple[str, ...]

    @property
    def recommendation_changed(self) -> bool:
        return self.was != self.now

    @property
    def message(self) -> str:
        if self.recommendation_changed:
            head = f"Today Stackfit would recommend {self.now_name} (was {self.was_name})"
        else:
            head = f"Today {self.now_name} scores {self.score_after:.0f} (was {self.score_before:.0f})"
        return f"{head}: {'; '.join(self.changes)}." if self.changes else f"{head}."


def rating_inputs(result: dict, frameworks: dict) -> dict:
    """What a result depended on, to explain drift later: weights and the ratings they used.

    `frameworks` maps framework slug to {aspect slug: score}, the matrix the result came from.
    """
    return {
        "weights": result["weights"],
        "scenarios": [s["slug"] for s in result["matched_scenarios"]],
        "ratings": {framework: dict(scores) for framework, scores in frameworks.items()},
    }


def detect_drift(
    before: dict, before_inputs: dict, after: dict, after_inputs: dict, aspect_names: dict
) -> Drift | None:
    """Compare a saved result with today's; None when nothing that matters moved."""
    was, now = before["recommended"], after["recommended"]
    names = {r["framework"]: r["name"] for r in before["ranking"] + after["ranking"]}
    score_before = _score(before, was)
    score_after = _score(after, was if was == now else now)
    chooser_changes = settings_changes(before, after)
    if was == now and abs(score_after - score_before) < SCORE_DRIFT and not chooser_changes:
        return None
    return Drift(
        was=was,
        was_name=names.get(was, was),
        now=now,
        now_name=names.get(now, now),
        score_before=score_before,
        score_after=score_after,
        changes=_explain(before_inputs, after_inputs, aspect_names, names) + chooser_changes,
    )


def _score(result: dict, framework: str) -> float:
    return next((r["score"] for r in result["ranking"] if r["framework"] == framework), 0.0)


def _explain(before: dict, after: dict, aspect_names: dict, framework_names: dict) -> tuple:
    changes = []
    old_ratings, new_ratings = before.get("ratings", {}), after.get("ratings", {})
    # Only the aspects these answers weigh can have moved the result.
    relevant = set(before.get("weights", {})) | set(after.get("weights", {}))
    for framework in sorted(set(old_ratings) | set(new_ratings)):
        name = framework_names.get(framework, framework)
        if framework not in new_ratings:
            changes.append(f"{name} left the matrix")
            continue
        if framework not in old_ratings:
            changes.append(f"{name} joined the matrix")
            continue
        for aspect in sorted(relevant):
            old = old_ratings[framework].get(aspect)
            new = new_ratings[framework].get(aspect)
            if old != new:
                label = aspect_names.get(aspect, aspect)
                changes.append(f"{name}'s {label.lower()} rating changed ({old} → {new})")
    if before.get("weights") != after.get("weights"):
        changes.append("the chooser's weights for these answers changed")
    if before.get("scenarios") != after.get("scenarios"):
        changes.append("the cheat-sheet situations these answers match changed")
    return tuple(changes)


VERDICT_NAMES = {"clear": "a clear winner", "close_call": "a close call", "tie": "a tie"}


def settings_changes(before: dict, after: dict) -> tuple[str, ...]:
    """What moved in the parts of a result that must-haves and constraints decide:
    the verdict, and which frameworks are ruled out. Results saved before these
    existed carry neither, and compare as unchanged."""
    changes = []
    names = {r["framework"]: r["name"] for r in before["ranking"] + after["ranking"]}
    ruled_before = {r["framework"]: r.get("ruled_out") or [] for r in before["ranking"]}
    ruled_after = {r["framework"]: r.get("ruled_out") or [] for r in after["ranking"]}
    for framework in sorted(set(ruled_before) & set(ruled_after)):
        old, new = ruled_before[framework], ruled_after[framework]
        name = names.get(framework, framework)
        if new and not old:
            changes.append(f"{name} is now ruled out ({'; '.join(item['reason'] for item in new)})")
        elif old and not new:
            changes.append(f"{name} is no longer ruled out")
    was, now = before.get("verdict"), after.get("verdict")
    if was and now and was != now:
        changes.append(
            f"the result changed from {VERDICT_NAMES.get(was, was)} to {VERDICT_NAMES.get(now, now)}"
        )
    return tuple(changes)
