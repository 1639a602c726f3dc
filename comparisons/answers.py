"""Chooser answers as they travel through query strings, forms and pages.

Shared by the chooser page and saved decisions, which show and link the same answers.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from comparisons.engine import (
    CLEAR,
    CLOSE_CALL,
    MULTIPLE,
    PREFERENCE,
    TIE,
    WEIGHT_LIMIT,
    Constraints,
    ErrorReport,
    InvalidInput,
    combined_weights,
    is_iso_date,
    recommend,
    shown,
)


def answers_from_query(snapshot, data) -> dict[str, list[str]]:
    """Answers from a query string or form: one key per question slug, repeated for lists.

    Keys that are not questions are ignored, so tracking parameters and the
    like do not break a shared link; unknown option values are kept and
    reported by the engine's validation.
    """
    answers = {}
    for question in snapshot.questions:
        values = [value for value in data.getlist(question.slug) if value]
        if values:
            answers[question.slug] = values if question.kind == "multiple" else values[:1]
    return answers


def answers_to_query(answers: dict[str, list[str]]) -> str:
    return urlencode([(slug, option) for slug, options in answers.items() for option in options])


def describe_flip(snapshot, flip) -> list[dict]:
    """Human labels for a flip's changes: question prompt, options before and after."""
    if not flip:
        return []
    described = []
    for change in flip["changes"]:
        question = snapshot.question(change["question"])

        def labels(slugs, question=question):
            return [question.option(slug).label for slug in slugs if question.option(slug)]

        described.append(
            {
                "question": question.prompt,
                "before": labels(change["from"]),
                "after": labels(change["to"]),
                "kind": change.get("kind", PREFERENCE),
            }
        )
    return described


def describe_answers(snapshot, answers: dict) -> list[dict]:
    """Answers as prompt and option labels, in question order (for pages and exports)."""
    described = []
    for question in snapshot.questions:
        chosen = answers.get(question.slug)
        if not chosen:
            continue
        labels = [o.label if (o := question.option(slug)) else slug for slug in chosen]
        described.append({"question": question.prompt, "answers": labels})
    return described


# Chooser 2.0: must-haves, the decider's own weights and constraints travel in the
# same query string as the answers (the permalink), in this order:
#   <question>=<option>...  must=<aspect>...  weight_<aspect>=<-3..3>...
#   python=3.12  supported_until=YYYY-MM-DD  no_advisories=1
MUST = "must"
WEIGHT_PREFIX = "weight_"
PYTHON = "python"
SUPPORTED_UNTIL = "supported_until"
NO_ADVISORIES = "no_advisories"
_PYTHON_VERSION = re.compile(r"3\.\d{1,2}")


@dataclass(frozen=True)
class ChooserQuery:
    """Everything the chooser's permalink carries, parsed; `errors` lists what could not be used."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    must_have: tuple[str, ...] = ()
    own_weights: dict[str, int] = field(default_factory=dict)  # aspect -> the decider's -3..3
    constraints: Constraints = field(default_factory=Constraints)
    errors: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.answers or self.must_have or self.own_weights or self.constraints != Constraints())

    def to_query(self) -> str:
        """The permalink's query string; chooser_query(snapshot, parse(q.to_query())) == q."""
        pairs = [(slug, option) for slug, options in self.answers.items() for option in options]
        pairs += [(MUST, aspect) for aspect in self.must_have]
        pairs += [(f"{WEIGHT_PREFIX}{aspect}", str(weight)) for aspect, weight in self.own_weights.items()]
        pairs += constraints_to_pairs(constraints_to_dict(self.constraints))
        return urlencode(pairs)


def chooser_query(snapshot, data) -> ChooserQuery:
    """Parse a query string or form (a QueryDict) into answers, must-haves, own weights, constraints.

    Unknown keys are ignored (tracking parameters do not break a shared link), but a
    bad value for one of the chooser's own keys is reported, never dropped silently.
    Answers are checked later by the engine's validate_input, as before.
    """
    errors: list[str] = []
    numeric = {a.slug: a for a in snapshot.aspects if a.numeric}

    must_have = []
    for value in data.getlist(MUST):
        if not value:
            continue
        if value not in numeric:
            errors.append(f"“{shown(value)}” cannot be a must-have: it is not a scored aspect.")
        elif value not in must_have:
            must_have.append(value)

    own_weights = {}
    given = {key[len(WEIGHT_PREFIX) :]: data.get(key) for key in data if key.startswith(WEIGHT_PREFIX)}
    for slug, value in given.items():
        if value in ("", None):
            continue  # the Fine-tune control left at what the answers imply
        aspect = numeric.get(slug)
        if aspect is None:
            errors.append(f"“{shown(slug)}” cannot be weighted: it is not a scored aspect.")
            continue
        weight = _whole_number(value)
        if weight is None or not -WEIGHT_LIMIT <= weight <= WEIGHT_LIMIT:
            errors.append(
                f"The weight of {aspect.name} must be a whole number from {-WEIGHT_LIMIT} to "
                f"+{WEIGHT_LIMIT}, not “{shown(value)}”."
            )
            continue
        own_weights[slug] = weight
    # Aspect order, so equal choices give equal permalinks.
    own_weights = {slug: own_weights[slug] for slug in numeric if slug in own_weights}

    python = data.get(PYTHON, "").strip()
    if python and not _PYTHON_VERSION.fullmatch(python):
        errors.append(f"The Python version must look like 3.12, not “{shown(python)}”.")
        python = ""
    supported_until = data.get(SUPPORTED_UNTIL, "").strip()
    if supported_until and not is_iso_date(supported_until):
        errors.append(f"“Supported until” must be a date as YYYY-MM-DD, not “{shown(supported_until)}”.")
        supported_until = ""
    no_advisories = data.get(NO_ADVISORIES, "")
    if no_advisories not in ("", "1"):
        errors.append(f"“No open advisories” is either on (1) or left out, not “{shown(no_advisories)}”.")
        no_advisories = ""

    return ChooserQuery(
        answers=answers_from_query(snapshot, data),
        must_have=tuple(must_have),
        own_weights=own_weights,
        constraints=Constraints(
            python=python, supported_until=supported_until, no_open_advisories=no_advisories == "1"
        ),
        errors=tuple(errors),
    )


def _whole_number(value: str) -> int | None:
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if len(text) - len(digits) > 1 or not digits.isascii() or not digits.isdigit() or len(digits) > 3:
        return None
    return sign * int(digits)


def constraints_to_dict(constraints: Constraints) -> dict:
    """The constraints that are set, as the engine's validate_constraints and saved decisions take them."""
    raw: dict = {}
    if constraints.python:
        raw["python"] = constraints.python
    if constraints.supported_until:
        raw["supported_until"] = constraints.supported_until
    if constraints.no_open_advisories:
        raw["no_open_advisories"] = True
    return raw


def constraints_from_dict(raw: Mapping | None) -> Constraints:
    raw = raw or {}
    return Constraints(
        python=raw.get("python", ""),
        supported_until=raw.get("supported_until", ""),
        no_open_advisories=bool(raw.get("no_open_advisories", False)),
    )


def constraints_to_pairs(raw: Mapping) -> list[tuple[str, str]]:
    pairs = []
    if raw.get("python"):
        pairs.append((PYTHON, raw["python"]))
    if raw.get("supported_until"):
        pairs.append((SUPPORTED_UNTIL, raw["supported_until"]))
    if raw.get("no_open_advisories"):
        pairs.append((NO_ADVISORIES, "1"))
    return pairs


def implied_weights(snapshot, answers: Mapping) -> dict[str, float]:
    """The weight each aspect gets from the answers alone."""
    return combined_weights(snapshot, answers, {})


def engine_weights(snapshot, answers: Mapping, own_weights: Mapping, extra: Mapping | None = None) -> dict:
    """Explicit weights for the engine such that each aspect's combined weight is the decider's own.

    The engine adds explicit weights to the implied ones, so an own weight n becomes
    n - implied; `extra` (the API's additive weights) applies to the other aspects.
    """
    implied = implied_weights(snapshot, answers)
    weights = {aspect: float(weight) for aspect, weight in (extra or {}).items()}
    for aspect, weight in own_weights.items():
        delta = weight - implied.get(aspect, 0.0)
        if delta:
            weights[aspect] = delta
        else:
            weights.pop(aspect, None)
    return weights


def need_aspects(snapshot) -> dict[tuple[str, str], str]:
    """(question, option) -> aspect for every need: an option of a multiple-choice question
    whose weights raise exactly one scored aspect. Such an option can be a must-have."""
    numeric = {a.slug for a in snapshot.aspects if a.numeric}
    needs = {}
    for question in snapshot.questions:
        if question.kind != MULTIPLE:
            continue
        for option in question.options:
            raised = [a for a, w in option.weights.items() if w > 0 and a in numeric]
            if len(raised) == 1:
                needs[(question.slug, option.slug)] = raised[0]
    return needs


def python_versions(snapshot) -> list[str]:
    """Every Python version the frameworks' release facts name, oldest first."""
    versions = {
        version
        for framework in snapshot.frameworks
        if framework.facts is not None
        for version in framework.facts.python_versions
    }
    return sorted(versions, key=lambda v: tuple(int(part) for part in v.split(".") if part.isdigit()))


VERDICT_WORDS = {CLEAR: "Clear winner", CLOSE_CALL: "Close call", TIE: "Tie"}


def describe_result(snapshot, result: dict, query: ChooserQuery | None = None) -> dict:
    """The result as the chooser page shows it: verdict in words, eligible frameworks before
    ruled-out ones, both sides of each, sensitivity as sentences, the stack and combination.

    Plain data from the engine's JSON shape, so a saved decision's result reads the same way.
    """
    aspects = {a.slug: a.name for a in snapshot.aspects}
    names = {f.slug: f.name for f in snapshot.frameworks}
    names.update({r["framework"]: r["name"] for r in result["ranking"]})

    def points(items):
        return [{**p, "aspect_name": aspects.get(p["aspect"], p["aspect"])} for p in items or ()]

    def card(ranked):
        stack = ranked.get("stack") or {}
        return {
            **ranked,
            "strengths": points(ranked.get("strengths")),
            "weaknesses": points(ranked.get("weaknesses")),
            "companions": [
                {**c, "covers_names": [aspects.get(a, a) for a in c.get("covers", ())]}
                for c in stack.get("companions", ())
            ],
        }

    eligible = [card(r) for r in result["ranking"] if not r.get("ruled_out")]
    ruled_out = [card(r) for r in result["ranking"] if r.get("ruled_out")]
    headline = None
    if eligible:
        first = eligible[0]
        second = eligible[1] if len(eligible) > 1 else None
        verdict = result.get("verdict", CLEAR)
        margin = result.get("margin", 0.0)
        if second is None:
            text = f"{first['name']} is the only framework that meets everything you require"
        elif verdict == TIE:
            text = f"Tie: {first['name']} and {second['name']} score the same ({first['score']:.1f})"
        else:
            words = VERDICT_WORDS.get(verdict, "Result")
            text = f"{words}: {first['name']} leads {second['name']} by {margin:.1f} points"
        headline = {"verdict": verdict, "margin": margin, "text": text, "first": first, "second": second}

    winner_name = eligible[0]["name"] if eligible else ""
    sensitivity = []
    for item in result.get("sensitivity", ()):
        aspect = aspects.get(item["aspect"], item["aspect"])
        direction = "above" if item["flips_at"] > item["weight_now"] else "below"
        rival = names.get(item["to"], item["to"])
        sensitivity.append(
            {
                **item,
                "text": f"{winner_name} stays first unless you weigh {aspect} {direction} "
                f"{item['flips_at']:+g} (now {item['weight_now']:+g}); then {rival} leads.",
            }
        )

    combination = result.get("combination")
    if combination:
        combination = {
            "reason": combination["reason"],
            "parts": [{**p, "name": names.get(p["framework"], p["framework"])} for p in combination["parts"]],
        }

    return {
        "headline": headline,
        "eligible": eligible,
        "ruled_out": ruled_out,
        "all_ruled_out": bool(result.get("all_ruled_out")) or not eligible,
        "nearest": ruled_out[0] if ruled_out and not eligible else None,
        "stack": eligible[0] if eligible else None,
        "sensitivity": sensitivity,
        "combination": combination,
        "given": describe_given(snapshot, query) if query is not None else [],
    }


def describe_given(snapshot, query: ChooserQuery) -> list[dict]:
    """The answers, must-haves, own weights and constraints given, each with the form control
    that changes it (an id on the chooser page)."""
    aspects = {a.slug: a.name for a in snapshot.aspects}
    given = [
        {"label": item["question"], "value": ", ".join(item["answers"]), "control": f"q-{slug}"}
        for slug, item in zip(query.answers, _described(snapshot, query.answers), strict=True)
    ]
    if query.must_have:
        value = ", ".join(aspects.get(a, a) for a in query.must_have)
        given.append({"label": "Must have", "value": value, "control": "q-needs-must"})
    for aspect, weight in query.own_weights.items():
        given.append(
            {
                "label": f"Your weight for {aspects.get(aspect, aspect)}",
                "value": f"{weight:+d}",
                "control": f"weight-{aspect}",
            }
        )
    constraints = query.constraints
    if constraints.python:
        given.append({"label": "Runs on Python", "value": constraints.python, "control": "constraint-python"})
    if constraints.supported_until:
        value = constraints.supported_until
        given.append(
            {"label": "Supported at least until", "value": value, "control": "constraint-supported-until"}
        )
    if constraints.no_open_advisories:
        given.append(
            {
                "label": "Open security advisories",
                "value": "none allowed",
                "control": "constraint-no-advisories",
            }
        )
    return given


def _described(snapshot, answers: Mapping) -> list[dict]:
    """describe_answers for answers in the query's order (unknown questions keep their slug)."""
    described = []
    for slug, chosen in answers.items():
        question = snapshot.question(slug)
        if question is None:
            described.append({"question": slug, "answers": list(chosen)})
            continue
        labels = [o.label if (o := question.option(s)) else s for s in chosen]
        described.append({"question": question.prompt, "answers": labels})
    return described


# The same settings as JSON (the API, saved decisions): checked here, field by field,
# with InvalidInput naming the field and the item, as the engine's validate_input does.


def clean_tuned_weights(snapshot, raw) -> dict[str, int]:
    """Aspect slug -> the decider's own weight, a whole number from -3 to 3, in aspect order."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidInput({"tuned_weights": ["Expected an object mapping aspect slugs to whole numbers."]})
    numeric = {a.slug for a in snapshot.aspects if a.numeric}
    report = ErrorReport()
    for slug, weight in raw.items():
        if slug not in numeric:
            report.add("tuned_weights", f"“{shown(slug)}” is not a scored aspect.", slug)
        elif (
            isinstance(weight, bool)
            or not isinstance(weight, int)
            or not -WEIGHT_LIMIT <= weight <= WEIGHT_LIMIT
        ):
            report.add(
                "tuned_weights", f"Expected a whole number from {-WEIGHT_LIMIT} to {WEIGHT_LIMIT}.", slug
            )
    report.raise_if_any()
    return {a.slug: raw[a.slug] for a in snapshot.aspects if a.slug in raw}


def recommend_with(snapshot, answers, weights, *, must_have=(), constraints=None):
    """The engine's recommendation; constraints left all unset are no constraints."""
    if constraints == Constraints():
        constraints = None
    return recommend(snapshot, answers, weights, must_have=tuple(must_have), constraints=constraints)


def describe_settings(snapshot, must_have=(), tuned_weights=None, constraints=None) -> list[dict]:
    """Must-haves, own weights and constraints in describe_answers' shape (for pages and exports)."""
    query = ChooserQuery(
        must_have=tuple(must_have or ()),
        own_weights=dict(tuned_weights or {}),
        constraints=constraints_from_dict(constraints),
    )
    return [
        {"question": item["label"], "answers": [item["value"]]} for item in describe_given(snapshot, query)
    ]
