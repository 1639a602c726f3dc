"""Writes with side effects on decisions, and the engine calls behind them."""

from dataclasses import dataclass

from django.db import transaction

from comparisons.engine import InvalidInput, Snapshot, recommend, result_to_dict, validate_input
from comparisons.snapshot import get_snapshot
from decisions.drift import Drift, detect_drift, rating_inputs
from decisions.models import Decision, DecisionSnapshot, DecisionStatus


@dataclass(frozen=True)
class Evaluation:
    answers: dict
    weights: dict
    result: dict
    inputs: dict
    fingerprint: str


def _ratings_of(snapshot: Snapshot) -> dict:
    return {f.slug: {slug: rating.score for slug, rating in f.ratings.items()} for f in snapshot.frameworks}


def decision_evaluate(*, answers, weights=None, snapshot: Snapshot | None = None) -> Evaluation:
    """Validate answers and weights and compute today's result. Raises InvalidInput."""
    snapshot = snapshot or get_snapshot()
    clean_answers, clean_weights = validate_input(snapshot, answers, weights or {})
    result = result_to_dict(recommend(snapshot, clean_answers, clean_weights))
    return Evaluation(
        answers={question: list(options) for question, options in clean_answers.items()},
        weights=clean_weights,
        result=result,
        inputs=rating_inputs(result, _ratings_of(snapshot)),
        fingerprint=snapshot.fingerprint,
    )


def _store(decision: Decision, evaluation: Evaluation) -> DecisionSnapshot:
    return DecisionSnapshot.objects.create(
        decision=decision,
        result={**evaluation.result, "inputs": evaluation.inputs},
        fingerprint=evaluation.fingerprint,
        recommended=evaluation.result["recommended"],
    )


def validate_framework(slug: str, snapshot: Snapshot | None = None) -> str:
    snapshot = snapshot or get_snapshot()
    if slug not in {f.slug for f in snapshot.frameworks}:
        known = ", ".join(f.slug for f in snapshot.frameworks)
        raise InvalidInput({"chosen_framework": [f"Unknown framework “{slug}”; expected one of: {known}."]})
    return slug


@transaction.atomic
def decision_create(
    *,
    owner,
    title: str,
    answers,
    weights=None,
    chosen_framework: str = "",
    chosen_reason: str = "",
    notes: str = "",
    status: str = DecisionStatus.PROPOSED,
    snapshot: Snapshot | None = None,
    review_by=None,
) -> Decision:
    """Save a decision with the snapshot computed now, on the server, from its answers."""
    snapshot = snapshot or get_snapshot()
    evaluation = decision_evaluate(answers=answers, weights=weights, snapshot=snapshot)
    chosen = chosen_framework or evaluation.result["recommended"]
    validate_framework(chosen, snapshot)
    decision = Decision.objects.create(
        owner=owner,
        title=title,
        answers=evaluation.answers,
        weights=evaluation.weights,
        chosen_framework=chosen,
        chosen_reason=chosen_reason,
        notes=notes,
        status=status,
        review_by=review_by,
    )
    _store(decision, evaluation)
    return decision


@transaction.atomic
def decision_reevaluate(*, decision: Decision) -> DecisionSnapshot:
    """Compute the decision's result again on today's content; older snapshots stay as history."""
    return _store(decision, decision_evaluate(answers=decision.answers, weights=decision.weights))


def decision_set_sharing(*, decision: Decision, shared: bool) -> Decision:
    """Turn the read-only link on (a new unguessable token) or off (the old link 404s)."""
    decision.share_token = Decision.new_share_token() if shared else None
    decision.save(update_fields=["share_token", "updated_at"])
    return decision


def drift_for(decisions, snapshot: Snapshot | None = None) -> dict[int, Drift]:
    """Drift of each decision against today's content, by decision id.

    Pure computation on decisions whose snapshots are prefetched: the number of
    queries does not depend on how many decisions there are.
    """
    snapshot = snapshot or get_snapshot()
    aspect_names = {a.slug: a.name for a in snapshot.aspects}
    ratings = _ratings_of(snapshot)
    drifts = {}
    for decision in decisions:
        saved = decision.latest_snapshot
        if saved is None or saved.fingerprint == snapshot.fingerprint:
            continue
        try:
            evaluation = decision_evaluate(
                answers=decision.answers, weights=decision.weights, snapshot=snapshot
            )
        except InvalidInput:
            # An option or aspect it used is gone: today's content cannot answer it.
            continue
        drift = detect_drift(
            saved.result,
            saved.result.get("inputs", {}),
            evaluation.result,
            rating_inputs(evaluation.result, ratings),
            aspect_names,
        )
        if drift is not None:
            drifts[decision.pk] = drift
    return drifts
