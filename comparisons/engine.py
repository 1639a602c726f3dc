"""The recommendation engine: plain Python over a frozen snapshot.

Nothing here touches Django, the database, a request or a cache. The API, the
no-JS chooser and saved decisions all call `recommend()` with a `Snapshot`
built elsewhere (comparisons.snapshot) and the decider's answers.

How a score is made
-------------------
Every chosen option adds its weights (-3..+3) to the aspects it cares about;
explicit weights add on top. Each framework's rating on an aspect (0..5) is
centred to -1..+1, so a weight rewards frameworks above the middle of the
scale and penalises those below it. Every scenario the answers point to acts
as one more aspect of weight SCENARIO_WEIGHT on which its recommended
framework and the alternatives it names score +1 and the others -1, so a
framework the cheat sheet calls "also a fit" is not beaten by the scenario
alone. A framework's score is 50 + 50 * (weighted sum / total absolute
weight): 100 means best possible on everything that mattered, 50 means
indifferent, 0 means worst possible.
Because every framework shares the denominator, the ranking depends only on
the weighted sums, which keeps the flip search cheap.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache, cached_property
from itertools import combinations, islice
from types import UnionType
from typing import get_args, get_origin, get_type_hints

SCORE_MIN = 0
SCORE_MAX = 5
WEIGHT_LIMIT = 3
SCENARIO_WEIGHT = 3.0
CLOSE_CALL_MARGIN = 5.0  # points on the 0-100 scale
# Smaller weights mean nothing (the API refuses them, the engine drops them), and
# near 1e-308 dividing by their total overflows.
MIN_WEIGHT = 0.01
# Error bodies stay small whatever a request repeats: this many problems are listed,
# the rest counted, and a value echoed back is cut to MAX_ECHO characters.
MAX_REPORTED = 10
MAX_ECHO = 40
MAX_REASONS = 3
MAX_FLIP_PAIRS = 400
SINGLE = "single"
MULTIPLE = "multiple"
# A framework meets a must-have when its rating on that aspect is at least this, or
# when a companion in its stack covers the aspect to at least this level.
MUST_HAVE_MIN = 3
CLEAR = "clear"
CLOSE_CALL = "close_call"
TIE = "tie"
PREFERENCE = "preference"
PROJECT = "project"


@dataclass(frozen=True)
class AspectInfo:
    slug: str
    name: str
    numeric: bool = True


@dataclass(frozen=True)
class RatingInfo:
    score: int | None
    label: str
    source_url: str = ""


@dataclass(frozen=True)
class ReleaseLineInfo:
    version: str
    lts: bool = False
    end_of_support: str = ""  # ISO date, "" when unknown
    source: str = ""


@dataclass(frozen=True)
class AdvisoryInfo:
    id: str
    summary: str = ""
    fixed_in: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class FactsInfo:
    """Release facts of a framework's package, as last fetched from the package index."""

    package: str = ""
    latest_version: str = ""
    latest_release_date: str = ""  # ISO date
    first_release_date: str = ""
    requires_python: str = ""  # a PEP 440 specifier, e.g. ">=3.10"
    python_versions: tuple[str, ...] = ()  # from trove classifiers, e.g. ("3.10", "3.11")
    license: str = ""
    release_lines: tuple[ReleaseLineInfo, ...] = ()
    advisories: tuple[AdvisoryInfo, ...] = ()  # open on the latest release
    supported_until: str = ""  # end of support of the newest LTS line with a date, else the newest dated line
    fetched_at: str = ""


@dataclass(frozen=True)
class FrameworkInfo:
    slug: str
    name: str
    ratings: Mapping[str, RatingInfo]
    guide_url: str = ""
    facts: FactsInfo | None = None


@dataclass(frozen=True)
class CompanionInfo:
    """A package that extends frameworks: what it covers, and to what level (0..5)."""

    slug: str
    name: str
    package: str = ""
    docs_url: str = ""
    frameworks: tuple[str, ...] = ()  # framework slugs it extends
    covers: Mapping[str, int] = field(default_factory=dict)  # aspect slug -> level 0..5
    scenarios: tuple[str, ...] = ()  # scenario slugs whose advice names it (Wagtail for content sites)
    note: str = ""


@dataclass(frozen=True)
class Constraints:
    """Hard limits a decider sets on release facts; a framework failing one is ruled out."""

    python: str = ""  # "3.12": must support this Python version
    supported_until: str = ""  # ISO date: supported at least until then
    no_open_advisories: bool = False


@dataclass(frozen=True)
class OptionInfo:
    slug: str
    label: str
    weights: Mapping[str, int] = field(default_factory=dict)
    scenarios: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionInfo:
    slug: str
    prompt: str
    kind: str
    options: tuple[OptionInfo, ...]
    # Context questions (what is built, what exists) say what the situation is rather
    # than what the decider prefers: flips change them last, and label it.
    context: bool = False

    def option(self, slug: str) -> OptionInfo | None:
        return next((o for o in self.options if o.slug == slug), None)


@dataclass(frozen=True)
class ScenarioInfo:
    slug: str
    situation: str
    framework: str
    companion: str = ""
    alternatives: tuple[str, ...] = ()
    # A part best run as its own service (model serving, a high-throughput API) beside the product.
    separate_service: bool = False

    @cached_property
    def favoured(self) -> frozenset[str]:
        """The frameworks this scenario credits: its recommendation and its alternatives."""
        return frozenset((self.framework, *self.alternatives))


@dataclass(frozen=True)
class Snapshot:
    """Everything the engine knows: the matrix, the chooser and the scenarios."""

    frameworks: tuple[FrameworkInfo, ...]
    aspects: tuple[AspectInfo, ...]
    questions: tuple[QuestionInfo, ...]
    scenarios: tuple[ScenarioInfo, ...]
    companions: tuple[CompanionInfo, ...] = ()

    def question(self, slug: str) -> QuestionInfo | None:
        return self._questions_by_slug.get(slug)

    def aspect(self, slug: str) -> AspectInfo | None:
        return self._aspects_by_slug.get(slug)

    # Derived once per snapshot: a snapshot is built once and then serves many requests.
    @cached_property
    def _questions_by_slug(self) -> dict[str, QuestionInfo]:
        return {q.slug: q for q in self.questions}

    @cached_property
    def _aspects_by_slug(self) -> dict[str, AspectInfo]:
        return {a.slug: a for a in self.aspects}

    @cached_property
    def centred(self) -> tuple[dict[str, float], ...]:
        """Each framework's numeric ratings mapped from 0..5 to -1..+1."""
        half = SCORE_MAX / 2
        numeric = {a.slug for a in self.aspects if a.numeric}
        return tuple(
            {
                slug: (rating.score - half) / half
                for slug, rating in framework.ratings.items()
                if slug in numeric and rating.score is not None
            }
            for framework in self.frameworks
        )

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the content, equal for equal snapshots (used to detect drift).

        When facts were fetched is left out: a refresh that changes nothing is no drift.
        """
        data = snapshot_to_dict(self)
        for framework in data["frameworks"]:
            framework.get("facts", {}).pop("fetched_at", None)
        payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


Answers = Mapping[str, tuple[str, ...]]


class InvalidInput(ValueError):
    """Answers or weights that do not fit the snapshot; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, dict[str, list[str]] | list[str]]):
        super().__init__(errors)
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        """Every message, flattened, for a page that lists them."""
        flat = []
        for problems in self.errors.values():
            groups = problems.values() if isinstance(problems, dict) else [problems]
            for group in groups:
                flat.extend(group)
        return flat


def shown(value: str) -> str:
    """A value sent by a client, cut short enough to repeat in an error message."""
    return value if len(value) <= MAX_ECHO else value[: MAX_ECHO - 1] + "…"


class ErrorReport:
    """Collects field errors for InvalidInput, listing at most MAX_REPORTED and counting the rest.

    A request can name the same bad value half a million times; its answer lists each
    problem once, the first few only, so the error is never larger than the request's gist.
    """

    def __init__(self):
        self.errors: dict = {}
        self.listed = 0
        self.hidden = 0
        self._last: list[str] | None = None

    def add(self, field_name: str, message: str, key: str | None = None) -> None:
        """One problem with a field, or with one key (question, aspect) inside it."""
        if self.listed >= MAX_REPORTED:
            self.hidden += 1
            return
        self.listed += 1
        if key is None:
            target = self.errors.setdefault(field_name, [])
        else:
            target = self.errors.setdefault(field_name, {}).setdefault(shown(key), [])
        target.append(message)
        self._last = target

    def count(self, hidden: int) -> None:
        """Problems found but not worth listing one by one."""
        self.hidden += hidden

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        if self.hidden and self._last is not None:
            self._last.append(f"…and {self.hidden:,} more problems, not listed.")
        raise InvalidInput(self.errors)


def validate_input(
    snapshot: Snapshot, answers: object, weights: object, *, allow_blank: bool = True
) -> tuple[Answers, dict]:
    """Check raw answers and weights against the snapshot; return them normalised.

    Answers map a question slug to an option slug, or to a list of option slugs
    for multiple-choice questions. Weights map a numeric aspect's slug to a
    number from -3 to 3. Raises InvalidInput naming the bad fields, each bad value
    once and at most MAX_REPORTED problems in all. With allow_blank=False (the
    API's rule), an empty answer or a weight within MIN_WEIGHT of 0 is a mistake
    rather than nothing.
    """
    if answers is None:
        answers = {}
    if weights is None:
        weights = {}
    if not allow_blank:
        _report_blanks(answers, weights).raise_if_any()
    report = ErrorReport()
    clean_answers: dict[str, tuple[str, ...]] = {}
    clean_weights: dict[str, float] = {}

    if not isinstance(answers, Mapping):
        report.add("answers", "Expected an object mapping question slugs to option slugs.")
        answers = {}
    for question_slug, raw in answers.items():
        question = snapshot.question(question_slug)
        if question is None:
            report.add("answers", f"Unknown question “{shown(question_slug)}”.", question_slug)
            continue
        chosen = _as_option_list(raw)
        if chosen is None:
            report.add("answers", "Expected an option slug or a list of option slugs.", question_slug)
            continue
        if question.kind == SINGLE and len(chosen) > 1:
            message = f"“{question_slug}” is a single-choice question: give one option."
            report.add("answers", message, question_slug)
            continue
        distinct = tuple(dict.fromkeys(chosen))
        unknown = [slug for slug in distinct if question.option(slug) is None]
        if unknown:
            valid = ", ".join(o.slug for o in question.options)
            for slug in unknown[:MAX_REPORTED]:
                message = f"Unknown option “{shown(slug)}” for “{question_slug}”; expected one of: {valid}."
                report.add("answers", message, question_slug)
            report.count(len(unknown[MAX_REPORTED:]))
            continue
        if distinct:
            clean_answers[question_slug] = distinct

    if not isinstance(weights, Mapping):
        report.add("weights", "Expected an object mapping aspect slugs to numbers.")
        weights = {}
    for aspect_slug, raw in weights.items():
        aspect = snapshot.aspect(aspect_slug)
        if aspect is None:
            report.add("weights", f"Unknown aspect “{shown(aspect_slug)}”.", aspect_slug)
        elif not aspect.numeric:
            message = f"“{aspect_slug}” is a text aspect and cannot be weighted."
            report.add("weights", message, aspect_slug)
        elif isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw:
            report.add("weights", "Expected a number.", aspect_slug)
        elif not -WEIGHT_LIMIT <= raw <= WEIGHT_LIMIT:
            message = f"Must be between {-WEIGHT_LIMIT} and {WEIGHT_LIMIT}, got {raw}."
            report.add("weights", message, aspect_slug)
        elif abs(raw) >= MIN_WEIGHT:
            clean_weights[aspect_slug] = float(raw)

    report.raise_if_any()
    if not clean_answers and not clean_weights:
        raise InvalidInput({"non_field_errors": ["Give at least one answer or one weight."]})
    return clean_answers, clean_weights


def _report_blanks(answers: object, weights: object) -> ErrorReport:
    """An empty answer or a weight of about 0: nothing to the engine, a client's slip to the API."""
    report = ErrorReport()
    if isinstance(answers, Mapping):
        for slug, value in answers.items():
            if value == "" or value == []:
                message = "Give an option slug or a non-empty list of them; leave an unanswered question out."
                report.add("answers", message, slug)
    if isinstance(weights, Mapping):
        for slug, value in weights.items():
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < MIN_WEIGHT:
                message = f"Give a weight of at least {MIN_WEIGHT} either way; leave the aspect out for none."
                report.add("weights", message, slug)
    return report


def _as_option_list(raw: object) -> list[str] | None:
    if isinstance(raw, str):
        return [raw] if raw else []
    if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
        return list(raw)
    return None


# The result's dataclasses are its one shape: result_to_dict() turns them into the
# JSON that the API answers, the chooser page renders and decisions store, and the
# API's serializers (and so the OpenAPI schema) are derived from them. A field's
# metadata may rename it in JSON ("json") and describe it ("doc").


@dataclass(frozen=True)
class Reason:
    aspect: str = field(metadata={"doc": "Aspect slug, or scenario:<slug>."})
    aspect_name: str
    text: str
    points: float
    source_url: str = field(default="", metadata={"doc": "Guide section backing the rating, if any."})


@dataclass(frozen=True)
class RuledOut:
    aspect: str = field(metadata={"doc": "The must-have aspect's slug, or constraint:<key>."})
    reason: str


@dataclass(frozen=True)
class Point:
    aspect: str
    contribution: float = field(metadata={"doc": "Points this aspect adds to (or takes from) the score."})
    score: int | None = field(metadata={"doc": "The framework's rating on the aspect, 0–5."})
    label: str


@dataclass(frozen=True)
class StackCompanion:
    slug: str
    name: str
    package: str
    covers: tuple[str, ...] = field(metadata={"doc": "Aspects of these answers it fills in."})


@dataclass(frozen=True)
class Stack:
    framework: str
    companions: tuple[StackCompanion, ...] = ()


@dataclass(frozen=True)
class Ranked:
    framework: str
    name: str
    score: float = field(metadata={"doc": "0–100."})
    guide_url: str
    contributions: dict[str, float] = field(
        metadata={"doc": "Points each aspect (or scenario:<slug>) adds to the baseline of 50."}
    )
    reasons: tuple[Reason, ...]
    ruled_out: tuple[RuledOut, ...] = field(
        default=(), metadata={"doc": "Why the framework cannot be chosen; empty when it is eligible."}
    )
    strengths: tuple[Point, ...] = ()
    weaknesses: tuple[Point, ...] = ()
    stack: Stack | None = None


@dataclass(frozen=True)
class Sensitivity:
    aspect: str
    weight_now: float
    flips_at: float = field(metadata={"doc": "The weight of this aspect at which the winner changes."})
    to: str = field(metadata={"doc": "Slug of the framework that would win then."})


@dataclass(frozen=True)
class CombinationPart:
    framework: str
    role: str


@dataclass(frozen=True)
class Combination:
    parts: tuple[CombinationPart, ...]
    reason: str


@dataclass(frozen=True)
class MatchedScenario:
    slug: str
    situation: str
    framework: str
    framework_name: str
    companion: str
    alternatives: tuple[str, ...] = field(
        default=(), metadata={"doc": "Slugs of the other frameworks the scenario calls a fit too."}
    )
    alternative_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    question: str
    before: tuple[str, ...] = field(metadata={"json": "from"})
    after: tuple[str, ...] = field(metadata={"json": "to"})
    kind: str = field(
        default=PREFERENCE,
        metadata={"doc": "preference, or project when it changes what is built or what exists."},
    )


@dataclass(frozen=True)
class Flip:
    recommended: str
    name: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Result:
    """The engine's answer, as stored in a decision's snapshot."""

    recommended: str = field(metadata={"doc": "Slug of the best-fitting framework."})
    ranking: tuple[Ranked, ...]
    matched_scenarios: tuple[MatchedScenario, ...]
    weights: dict[str, float] = field(metadata={"doc": "The combined weight of each aspect."})
    close_call: bool = field(metadata={"doc": "True when the top two are within 5 points."})
    flip: Flip | None = field(
        metadata={"doc": "On a close call, the smallest change of answers that flips it."}
    )
    verdict: str = field(default=CLEAR, metadata={"doc": "clear, close_call or tie."})
    margin: float = field(default=0.0, metadata={"doc": "Points between the first two eligible frameworks."})
    sensitivity: tuple[Sensitivity, ...] = ()
    combination: Combination | None = None
    all_ruled_out: bool = field(
        default=False, metadata={"doc": "True when every framework fails a must-have or constraint."}
    )


def recommend(snapshot: Snapshot, answers: Answers, weights: Mapping[str, float] | None = None) -> Result:
    """Rank every framework for these (validated) answers and weights, and explain the ranking.

    Deterministic: equal snapshots and inputs give equal results; ties go to
    the framework listed first in the snapshot.
    """
    if not snapshot.frameworks:
        raise InvalidInput({"non_field_errors": ["There are no frameworks to rank."]})
    weights = dict(weights or {})
    aspect_weights = combined_weights(snapshot, answers, weights)
    scenarios = matched_scenarios(snapshot, answers)
    centred = snapshot.centred
    aspect_sums = _aspect_sums(centred, aspect_weights)
    sums = _with_scenarios(snapshot, aspect_sums, scenarios)
    total = sum(abs(w) for w in aspect_weights.values()) + SCENARIO_WEIGHT * len(scenarios)
    order = _order(snapshot, sums)

    def score(index: int) -> float:
        return 50.0 + 50.0 * sums[index] / total if total else 50.0

    contributions = _contributions(snapshot, centred, aspect_weights, scenarios, total)
    winner = order[0]
    runner_up = order[1] if len(order) > 1 else None
    describe = _Describer(snapshot)
    ranking = []
    for position, index in enumerate(order):
        framework = snapshot.frameworks[index]
        if position == 0:
            reasons = _reasons(describe, index, runner_up, contributions, winning=True)
        else:
            reasons = _reasons(describe, index, winner, contributions, winning=False)
        ranking.append(
            Ranked(
                framework=framework.slug,
                name=framework.name,
                score=round(score(index), 1),
                guide_url=framework.guide_url,
                contributions={key: round(value, 2) for key, value in contributions[index].items()},
                reasons=reasons,
            )
        )
    close_call = runner_up is not None and score(winner) - score(runner_up) <= CLOSE_CALL_MARGIN
    flip = find_flip(snapshot, answers, weights, _base=(aspect_weights, aspect_sums)) if close_call else None
    names = describe.names
    return Result(
        recommended=snapshot.frameworks[winner].slug,
        ranking=tuple(ranking),
        matched_scenarios=tuple(_matched(s, names) for s in scenarios),
        weights=aspect_weights,
        close_call=close_call,
        flip=flip,
    )


def _matched(scenario: ScenarioInfo, names: Mapping[str, str]) -> MatchedScenario:
    alternatives = tuple(slug for slug in scenario.alternatives if slug in names)
    return MatchedScenario(
        slug=scenario.slug,
        situation=scenario.situation,
        framework=scenario.framework,
        framework_name=names[scenario.framework],
        companion=scenario.companion,
        alternatives=alternatives,
        alternative_names=tuple(names[slug] for slug in alternatives),
    )


def combined_weights(snapshot: Snapshot, answers: Answers, weights: Mapping[str, float]) -> dict:
    """Sum the weights of every chosen option and the explicit weights, per aspect."""
    totals: dict[str, float] = {}
    for question in snapshot.questions:
        for option_slug in answers.get(question.slug, ()):
            option = question.option(option_slug)
            if option is None:
                continue
            for aspect, weight in option.weights.items():
                totals[aspect] = totals.get(aspect, 0.0) + weight
    for aspect, weight in weights.items():
        totals[aspect] = totals.get(aspect, 0.0) + weight
    return {aspect: weight for aspect, weight in totals.items() if weight}


def matched_scenarios(snapshot: Snapshot, answers: Answers) -> tuple[ScenarioInfo, ...]:
    """The scenarios the chosen options point to, in the snapshot's order."""
    wanted = {
        scenario
        for question in snapshot.questions
        for option_slug in answers.get(question.slug, ())
        if (option := question.option(option_slug)) is not None
        for scenario in option.scenarios
    }
    known = {f.slug for f in snapshot.frameworks}
    return tuple(s for s in snapshot.scenarios if s.slug in wanted and s.framework in known)


def _aspect_sums(centred, aspect_weights) -> list[float]:
    """Per framework, the sum of weight x centred rating over the weighted aspects."""
    weighted = list(aspect_weights.items())
    sums = []
    for ratings in centred:
        total = 0.0
        for aspect, weight in weighted:
            value = ratings.get(aspect)
            if value:
                total += weight * value
        sums.append(total)
    return sums


def _with_scenarios(snapshot, aspect_sums, scenarios) -> list[float]:
    """Add the scenario votes: +W to each scenario's framework and alternatives, -W to every other one."""
    if not scenarios:
        return aspect_sums
    votes: dict[str, int] = {}
    for scenario in scenarios:
        for slug in scenario.favoured:
            votes[slug] = votes.get(slug, 0) + 1
    against = SCENARIO_WEIGHT * len(scenarios)
    return [
        total + 2 * SCENARIO_WEIGHT * votes.get(framework.slug, 0) - against
        for framework, total in zip(snapshot.frameworks, aspect_sums, strict=True)
    ]


def _order(snapshot: Snapshot, sums: list[float]) -> list[int]:
    # Round away float noise so that equal sums tie, and ties keep snapshot order.
    return sorted(range(len(snapshot.frameworks)), key=lambda i: (-round(sums[i], 9), i))


def _contributions(snapshot, centred, aspect_weights, scenarios, total) -> list[dict[str, float]]:
    """Per framework, the points each aspect (and matched scenario) adds to the 50 baseline."""
    if not total:
        return [{} for _ in snapshot.frameworks]
    scale = 50.0 / total
    scaled = [(a, w * scale) for a, w in aspect_weights.items()]
    scenario_points = SCENARIO_WEIGHT * scale
    result = []
    for framework, ratings in zip(snapshot.frameworks, centred, strict=True):
        points = {a: w * ratings.get(a, 0.0) for a, w in scaled}
        for scenario in scenarios:
            points[f"scenario:{scenario.slug}"] = (
                scenario_points if framework.slug in scenario.favoured else -scenario_points
            )
        result.append(points)
    return result


class _Describer:
    """Names, labels and sources for reason texts, memoised for one recommendation."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.names = {f.slug: f.name for f in snapshot.frameworks}
        self.scenarios = {f"scenario:{s.slug}": s for s in snapshot.scenarios}
        self.cache: dict[tuple[int, str], tuple[str, str, str]] = {}

    def __call__(self, index: int, key: str) -> tuple[str, str, str]:
        """(title, label with score, source url) of one framework on an aspect."""
        found = self.cache.get((index, key))
        if found is None:
            aspect = self.snapshot.aspect(key)
            rating = self.snapshot.frameworks[index].ratings.get(key)
            title = aspect.name if aspect else key
            if rating is None:
                found = (title, "not rated", "")
            else:
                score = f" ({rating.score}/{SCORE_MAX})" if rating.score is not None else ""
                found = (title, f"{rating.label}{score}", rating.source_url)
            self.cache[(index, key)] = found
        return found


def _reasons(describe, subject, rival, contributions, winning) -> tuple[Reason, ...]:
    """Why `subject` beat `rival` (winning) or lost to it: the aspects with the widest gap."""
    if rival is None:
        return ()
    mine, theirs = contributions[subject], contributions[rival]
    sign = 1 if winning else -1
    # (-edge, key) tuples sort the widest edge first, ties by key.
    widest = heapq.nsmallest(
        MAX_REASONS, [(sign * (theirs[key] - value), key) for key, value in mine.items()]
    )
    rival_name = describe.snapshot.frameworks[rival].name
    reasons = []
    for negated_edge, key in widest:
        if negated_edge >= 0:
            break
        scenario = describe.scenarios.get(key)
        if scenario is not None:
            title, source = scenario.situation, ""
            credited = describe.snapshot.frameworks[subject if winning else rival].slug
            if credited in scenario.alternatives:
                text = f"The cheat sheet names {describe.names[credited]} as also a fit for “{title}”."
            else:
                text = f"The cheat sheet recommends {describe.names[scenario.framework]} for “{title}”."
        else:
            title, label, source = describe(subject, key)
            _, other, _ = describe(rival, key)
            relation = "against" if winning else "behind"
            text = f"{title}: {label}, {relation} {rival_name}'s {other}."
        reasons.append(Reason(key, title, text, round(-sign * negated_edge, 2), source))
    return tuple(reasons)


def _candidate_changes(snapshot: Snapshot, answers: Answers) -> Iterable[Change]:
    """Every one-step change of the answers: pick another option, clear, or toggle one."""
    for question in snapshot.questions:
        current = tuple(answers.get(question.slug, ()))
        if question.kind == SINGLE:
            alternatives = [(o.slug,) for o in question.options if (o.slug,) != current]
            if current:
                alternatives.append(())
        else:
            alternatives = [
                tuple(s for s in current if s != o.slug) if o.slug in current else (*current, o.slug)
                for o in question.options
            ]
        for after in alternatives:
            yield Change(question.slug, current, after)


def find_flip(snapshot, answers, weights, max_changes=2, _base=None) -> Flip | None:
    """The smallest set of answer changes (one, else two) that changes the recommendation.

    Among changes of equal size the first in question and option order wins,
    so the answer is deterministic. Pairs are tried up to MAX_FLIP_PAIRS, which
    bounds the cost of a call on a large chooser.
    """
    centred = snapshot.centred
    if _base is None:
        base_weights = combined_weights(snapshot, answers, weights)
        _base = (base_weights, _aspect_sums(centred, base_weights))
    base_weights, base_sums = _base
    base = _first(snapshot, base_sums, matched_scenarios(snapshot, answers))

    def winner_after(changes: tuple[Change, ...]) -> int:
        # Only the aspects whose weight moved need recomputing.
        changed = _apply(answers, changes)
        new_weights = combined_weights(snapshot, changed, weights)
        delta = [
            (aspect, new_weights.get(aspect, 0.0) - base_weights.get(aspect, 0.0))
            for aspect in new_weights.keys() | base_weights.keys()
        ]
        delta = [(aspect, d) for aspect, d in delta if d]
        sums = [
            total + sum(d * ratings.get(aspect, 0.0) for aspect, d in delta)
            for total, ratings in zip(base_sums, centred, strict=True)
        ]
        return _first(snapshot, sums, matched_scenarios(snapshot, changed))

    singles = list(_candidate_changes(snapshot, answers))
    for change in singles:
        winner = winner_after((change,))
        if winner != base:
            return _flip(snapshot, winner, (change,))
    if max_changes < 2:
        return None
    pairs = (
        (first, second) for first, second in combinations(singles, 2) if first.question != second.question
    )
    for first, second in islice(pairs, MAX_FLIP_PAIRS):
        winner = winner_after((first, second))
        if winner != base:
            return _flip(snapshot, winner, (first, second))
    return None


def _flip(snapshot: Snapshot, winner: int, changes: tuple[Change, ...]) -> Flip:
    framework = snapshot.frameworks[winner]
    return Flip(recommended=framework.slug, name=framework.name, changes=changes)


def _apply(answers: Answers, changes: tuple[Change, ...]) -> dict[str, tuple[str, ...]]:
    result = dict(answers)
    for change in changes:
        if change.after:
            result[change.question] = change.after
        else:
            result.pop(change.question, None)
    return result


def _first(snapshot, aspect_sums, scenarios) -> int:
    return _order(snapshot, _with_scenarios(snapshot, aspect_sums, scenarios))[0]


def snapshot_to_dict(snapshot: Snapshot) -> dict:
    """A JSON-ready dict of the snapshot (for export, fingerprints and the benchmark app)."""
    return {
        "frameworks": [
            {
                "slug": f.slug,
                "name": f.name,
                "guide_url": f.guide_url,
                "ratings": {
                    slug: {"score": r.score, "label": r.label, "source_url": r.source_url}
                    for slug, r in f.ratings.items()
                },
                # Only when known, so the fingerprints of matrices without facts stay as they were.
                **({"facts": _converter(FactsInfo)(f.facts)} if f.facts is not None else {}),
            }
            for f in snapshot.frameworks
        ],
        "aspects": [{"slug": a.slug, "name": a.name, "numeric": a.numeric} for a in snapshot.aspects],
        "questions": [
            {
                "slug": q.slug,
                "prompt": q.prompt,
                "kind": q.kind,
                "options": [
                    {
                        "slug": o.slug,
                        "label": o.label,
                        "weights": dict(o.weights),
                        "scenarios": list(o.scenarios),
                    }
                    for o in q.options
                ],
            }
            for q in snapshot.questions
        ],
        "scenarios": [
            {
                "slug": s.slug,
                "situation": s.situation,
                "framework": s.framework,
                "companion": s.companion,
                # Only when present, so the fingerprints of matrices without alternatives stay as they were.
                **({"alternatives": list(s.alternatives)} if s.alternatives else {}),
            }
            for s in snapshot.scenarios
        ],
    }


def snapshot_from_dict(data: Mapping) -> Snapshot:
    """Rebuild a snapshot from `snapshot_to_dict` output."""
    return Snapshot(
        frameworks=tuple(
            FrameworkInfo(
                slug=f["slug"],
                name=f["name"],
                guide_url=f.get("guide_url", ""),
                ratings={
                    slug: RatingInfo(r["score"], r["label"], r.get("source_url", ""))
                    for slug, r in f["ratings"].items()
                },
                facts=facts_from_dict(f["facts"]) if f.get("facts") else None,
            )
            for f in data["frameworks"]
        ),
        aspects=tuple(AspectInfo(a["slug"], a["name"], a.get("numeric", True)) for a in data["aspects"]),
        questions=tuple(
            QuestionInfo(
                slug=q["slug"],
                prompt=q["prompt"],
                kind=q["kind"],
                options=tuple(
                    OptionInfo(o["slug"], o["label"], dict(o["weights"]), tuple(o["scenarios"]))
                    for o in q["options"]
                ),
            )
            for q in data["questions"]
        ),
        scenarios=tuple(
            ScenarioInfo(
                s["slug"],
                s["situation"],
                s["framework"],
                s.get("companion", ""),
                tuple(s.get("alternatives", ())),
            )
            for s in data["scenarios"]
        ),
    )


def facts_from_dict(data: Mapping) -> FactsInfo:
    """Rebuild FactsInfo from its `snapshot_to_dict` form."""
    return FactsInfo(
        **{
            name: data.get(name, "")
            for name in (
                "package",
                "latest_version",
                "latest_release_date",
                "first_release_date",
                "requires_python",
                "license",
                "supported_until",
                "fetched_at",
            )
        },
        python_versions=tuple(data.get("python_versions", ())),
        release_lines=tuple(
            ReleaseLineInfo(
                line["version"],
                line.get("lts", False),
                line.get("end_of_support", ""),
                line.get("source", ""),
            )
            for line in data.get("release_lines", ())
        ),
        advisories=tuple(
            AdvisoryInfo(a["id"], a.get("summary", ""), tuple(a.get("fixed_in", ())), a.get("url", ""))
            for a in data.get("advisories", ())
        ),
    )


def result_to_dict(result: Result) -> dict:
    """The JSON shape of a result, shared by the API, the chooser page and saved decisions."""
    return _converter(Result)(result)


@cache
def _converter(cls) -> Callable:
    """A function turning one `cls` into JSON-ready data, built once from its type hints.

    Built ahead rather than walking each value, because results are rendered on every
    recommendation and a generic walk costs more than the engine's own scoring.
    """
    hints = get_type_hints(cls)
    parts = [(f.name, f.metadata.get("json", f.name), _field_converter(hints[f.name])) for f in fields(cls)]

    def convert(obj) -> dict:
        return {
            key: getattr(obj, name) if to_json is None else to_json(getattr(obj, name))
            for name, key, to_json in parts
        }

    return convert


def _field_converter(hint) -> Callable | None:
    """None for a value JSON takes as it is; else how to convert it."""
    origin, args = get_origin(hint), get_args(hint)
    if is_dataclass(hint):
        return _converter(hint)
    if origin is tuple:
        item = _field_converter(args[0])
        return list if item is None else (lambda items: [item(value) for value in items])
    if origin is dict:
        return dict
    if origin is UnionType:
        (inner,) = [arg for arg in args if arg is not type(None)]
        item = _field_converter(inner)
        return None if item is None else (lambda value: None if value is None else item(value))
    return None
