"""The recommendation engine: plain Python over a frozen snapshot.

Nothing here touches Django, the database, a request or a cache. The API, the
no-JS chooser and saved decisions all call `recommend()` with a `Snapshot`
built elsewhere (comparisons.snapshot) and the decider's answers.

How a score is made
-------------------
(The whole model, with its reasons, is in docs/scoring.md.)
Every chosen option of a preference question adds its weights (-3..+3) to the
aspects it cares about; explicit weights add on top; a must-have weighs at least
MUST_HAVE_WEIGHT. Each framework's rating on an aspect (0..5) is centred to
-1..+1, so a weight rewards frameworks above the middle of the scale and
penalises those below it. Every matched scenario votes +v for the frameworks it
credits and -v for the others: a context answer (what is built, what exists)
votes CONTEXT_WEIGHT through its scenarios instead of adding weights, so that
changing it cannot hand the win to a framework its scenario does not credit; a
preference answer's scenario votes SCENARIO_WEIGHT. A framework's score is
50 + 50 * (sum / (total absolute weight + votes)). Must-haves and constraints
rule frameworks out; they are ranked after the eligible ones.
Because every framework shares the denominator, the ranking depends only on
the sums, each linear in every weight: that keeps flips and sensitivity cheap.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from functools import cache, cached_property
from itertools import islice
from types import UnionType
from typing import get_args, get_origin, get_type_hints

from packaging.specifiers import InvalidSpecifier, SpecifierSet

SCORE_MIN = 0
SCORE_MAX = 5
WEIGHT_LIMIT = 3
SCENARIO_WEIGHT = 3.0
# A context answer (what is built, what exists) votes this much in all, through its scenarios.
CONTEXT_WEIGHT = 4.0
# A must-have aspect weighs at least this much, whatever the answers imply.
MUST_HAVE_WEIGHT = 2.0
# A combination needs product needs the service framework lacks weighing at least this much.
COMBINATION_MIN_WEIGHT = 3.0
MAX_POINTS = 3
SENSITIVE_ASPECTS = 3
# How flips name a dropped must-have and a weight step (Change.question).
MUST_HAVE_CHANGE = "must_have"
WEIGHT_CHANGE_PREFIX = "weight:"
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
# Must-haves and sets of constraints whose failures a snapshot remembers before it starts afresh.
RULE_OUT_CACHE_SIZE = 256
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
# A scenario's vote for the frameworks it credits, and against the others (see Snapshot._vote_codes).
VOTE_SIGNS = (1.0, -1.0)


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
        return self._options_by_slug.get(slug)

    @cached_property
    def _options_by_slug(self) -> dict[str, OptionInfo]:
        found: dict[str, OptionInfo] = {}
        for option in self.options:
            found.setdefault(option.slug, option)
        return found


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
    def columns(self) -> dict[str, tuple[float, ...]]:
        """Per numeric aspect, every framework's centred rating in snapshot order (0 when unrated).

        The hot path multiplies a weight by a column, so a change of one weight
        costs one pass over the frameworks.
        """
        return {
            aspect.slug: tuple(ratings.get(aspect.slug, 0.0) for ratings in self.centred)
            for aspect in self.aspects
            if aspect.numeric
        }

    @cached_property
    def levels(self) -> dict[str, tuple[tuple[float, ...], tuple[int, ...]]]:
        """Per numeric aspect, its distinct centred ratings and each framework's index into them.

        A contribution depends only on the weight and the rating, so a recommendation
        works out a handful of values per aspect and looks each framework's up.
        """
        found = {}
        for slug, column in self.columns.items():
            values = tuple(dict.fromkeys(column))
            index = {value: i for i, value in enumerate(values)}
            found[slug] = (values, tuple(index[value] for value in column))
        return found

    @cached_property
    def _scenarios_by_slug(self) -> dict[str, ScenarioInfo]:
        known = {f.slug for f in self.frameworks}
        return {s.slug: s for s in self.scenarios if s.framework in known}

    @cached_property
    def _favoured_masks(self) -> dict[str, tuple[bool, ...]]:
        """Per scenario, whether each framework (in snapshot order) is one it credits."""
        return {
            slug: tuple(f.slug in scenario.favoured for f in self.frameworks)
            for slug, scenario in self._scenarios_by_slug.items()
        }

    @cached_property
    def _vote_signs(self) -> dict[str, tuple[float, ...]]:
        """Per scenario, +1.0 for each framework it credits and -1.0 for the others."""
        return {slug: tuple(1.0 if m else -1.0 for m in mask) for slug, mask in self._favoured_masks.items()}

    @cached_property
    def _vote_codes(self) -> dict[str, tuple[int, ...]]:
        """Per scenario, each framework's index into VOTE_SIGNS: 0 when it is credited, else 1."""
        return {slug: tuple(0 if m else 1 for m in mask) for slug, mask in self._favoured_masks.items()}

    @cached_property
    def _aspect_positions(self) -> dict[str, int]:
        return {a.slug: i for i, a in enumerate(self.aspects)}

    @cached_property
    def _companions_of(self) -> tuple[tuple[CompanionInfo, ...], ...]:
        """Per framework, the companions that extend it, in snapshot order."""
        return tuple(tuple(c for c in self.companions if f.slug in c.frameworks) for f in self.frameworks)

    @cached_property
    def _gap_fillers(self) -> tuple[tuple[tuple[str, tuple[tuple[int, CompanionInfo, int], ...]], ...], ...]:
        """Per framework, each numeric aspect it rates below MUST_HAVE_MIN that companions cover above it.

        In aspect order, each with its (position in the framework's companions,
        companion, level) candidates: what a stack may fill, whatever the answers.
        """
        found = []
        for framework, reach in zip(self.frameworks, self._companions_of, strict=True):
            gaps = []
            for aspect in self.aspects:
                score = _rating(framework, aspect.slug)
                if not aspect.numeric or (score is not None and score >= MUST_HAVE_MIN):
                    continue
                floor = -1 if score is None else score
                fillers = tuple(
                    (position, companion, level)
                    for position, companion in enumerate(reach)
                    if (level := companion.covers.get(aspect.slug, 0)) > floor and level > 0
                )
                if fillers:
                    gaps.append((aspect.slug, fillers))
            found.append(tuple(gaps))
        return tuple(found)

    @cached_property
    def _bare_stacks(self) -> tuple[Stack, ...]:
        """Per framework, its stack without companions (immutable, so shared by every result)."""
        return tuple(Stack(f.slug) for f in self.frameworks)

    @cached_property
    def _rule_out_cache(self) -> dict:
        """Failures per must-have aspect and per Constraints, filled as recommendations ask (see rule_out)."""
        return {}

    @cached_property
    def _level_groups(self) -> dict:
        """Per kind and term key, the frameworks at each level grouped (see _groups), filled as asked."""
        return {}

    @cached_property
    def _describer(self) -> _Describer:
        """Reason texts' names and labels, shared by every recommendation on this snapshot."""
        return _Describer(self)

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
# One term of a score (an aspect or a matched scenario): key, points per level, each framework's level.
_Term = tuple[str, list[float], tuple[int, ...]]


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


def validate_must_have(snapshot: Snapshot, raw: object) -> tuple[str, ...]:
    """Check a list of must-have aspect slugs; return them without repeats, in the order given.

    Each must be a numeric aspect's slug. Raises InvalidInput with
    {"must_have": [message]} when the value is not a list, else
    {"must_have": {item: [message]}} naming each bad item (at most MAX_REPORTED).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInput({"must_have": ["Expected a list of aspect slugs."]})
    report = ErrorReport()
    clean: dict[str, None] = {}
    for item in raw:
        if not isinstance(item, str):
            report.add("must_have", "Expected an aspect slug (a string).", str(item))
            continue
        aspect = snapshot.aspect(item)
        if aspect is None:
            report.add("must_have", f"Unknown aspect “{shown(item)}”.", item)
        elif not aspect.numeric:
            report.add("must_have", f"“{item}” is a text aspect and cannot be a must-have.", item)
        else:
            clean[item] = None
    report.raise_if_any()
    return tuple(clean)


CONSTRAINT_KEYS = ("python", "supported_until", "no_open_advisories")
_PYTHON_VERSION = re.compile(r"[0-9]{1,2}\.[0-9]{1,3}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def validate_constraints(raw: object) -> Constraints:
    """Check the constraints object; errors are keyed constraints.<key> (or constraints for the whole).

    {"python": "3.12", "supported_until": "YYYY-MM-DD", "no_open_advisories": true}, each optional.
    """
    if raw is None:
        return Constraints()
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            {"constraints": ["Expected an object with python, supported_until and/or no_open_advisories."]}
        )
    errors: dict[str, list[str]] = {}
    for key in list(raw)[: MAX_REPORTED * 2]:
        if key not in CONSTRAINT_KEYS:
            errors[f"constraints.{shown(str(key))}"] = [
                f"Unknown constraint; expected one of: {', '.join(CONSTRAINT_KEYS)}."
            ]
    # A key that is sent has a value: leave it out for no constraint.
    python = raw.get("python", "")
    if "python" in raw and not (isinstance(python, str) and _PYTHON_VERSION.fullmatch(python)):
        errors["constraints.python"] = ["Expected a Python version such as “3.12”."]
    until = raw.get("supported_until", "")
    if "supported_until" in raw and not (isinstance(until, str) and is_iso_date(until)):
        errors["constraints.supported_until"] = ["Expected a date as YYYY-MM-DD."]
    advisories = raw.get("no_open_advisories", False)
    if not isinstance(advisories, bool):
        errors["constraints.no_open_advisories"] = ["Expected true or false."]
    if errors:
        raise InvalidInput(dict(islice(errors.items(), MAX_REPORTED)))
    return Constraints(python=python, supported_until=until, no_open_advisories=advisories)


def is_iso_date(value: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    # YYYY-MM-DD only: fromisoformat alone also takes week dates (2027-W01-1) and 20270101.
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


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


def recommend(
    snapshot: Snapshot,
    answers: Answers,
    weights: Mapping[str, float] | None = None,
    *,
    must_have: tuple[str, ...] = (),
    constraints: Constraints | None = None,
) -> Result:
    """Rank every framework for these (validated) answers, weights, must-haves and constraints.

    Eligible frameworks come first, then those ruled out by a must-have or a
    constraint (fewest failures first). Deterministic: equal snapshots and inputs
    give equal results; exact ties go to the framework listed first in the snapshot.
    See docs/scoring.md for the model.
    """
    if not snapshot.frameworks:
        raise InvalidInput({"non_field_errors": ["There are no frameworks to rank."]})
    weights = dict(weights or {})
    must_have = tuple(dict.fromkeys(must_have))
    aspect_weights = combined_weights(snapshot, answers, weights, must_have)
    votes = scenario_votes(snapshot, answers)
    aspect_sums = _aspect_sums(snapshot, aspect_weights)
    sums = _with_votes(snapshot, aspect_sums, votes)
    total = sum(abs(w) for w in aspect_weights.values()) + sum(v for _, v in votes)
    failures = rule_out(snapshot, must_have, constraints)
    pool = _pool(failures)
    order = _order(sums, failures)
    winner = _best(sums, pool)
    scale = 50.0 / total if total else 0.0

    def score(index: int) -> float:
        return 50.0 + sums[index] * scale

    count = len(snapshot.frameworks)
    terms = _terms(snapshot, aspect_weights, votes, scale)
    contributions = _contributions(terms, count)
    rest = [i for i in order if i != winner]
    # The winner's reasons are against the first framework it beats outright, past any tie.
    leading = round(sums[winner], 9)
    runner_up = next((i for i in rest if round(sums[i], 9) < leading), rest[0] if rest else None)
    describe = snapshot._describer
    scenario_slugs = {s.slug for s, _ in votes}
    # What a stack fills: must-haves and positively weighted numeric aspects, in aspect order.
    wanted = dict.fromkeys(
        a.slug
        for a in snapshot.aspects
        if a.numeric and (a.slug in must_have or aspect_weights.get(a.slug, 0) > 0)
    )
    losing = _losing_reasons(describe, terms, count, winner)
    points = _all_points(snapshot, terms)
    ranking = []
    for index in [winner, *rest]:
        framework = snapshot.frameworks[index]
        if index == winner:
            reasons = _reasons(describe, index, runner_up, contributions, winning=True)
        else:
            reasons = losing[index]
        rounded = contributions[index]
        strengths, weaknesses = points[index]
        ranking.append(
            Ranked(
                framework=framework.slug,
                name=framework.name,
                score=round(score(index), 1),
                guide_url=framework.guide_url,
                contributions=rounded,
                reasons=reasons,
                ruled_out=failures[index],
                strengths=strengths,
                weaknesses=weaknesses,
                stack=_stack(snapshot, index, wanted, scenario_slugs),
            )
        )
    verdict, margin = _verdict(sums, pool, order, winner, scale)
    close_call = verdict != CLEAR
    flip = None
    if close_call:
        flip = find_flip(
            snapshot,
            answers,
            weights,
            must_have=must_have,
            constraints=constraints,
            _base=(aspect_weights, aspect_sums, failures, winner),
        )
    names = describe.names
    return Result(
        recommended=snapshot.frameworks[winner].slug,
        ranking=tuple(ranking),
        matched_scenarios=tuple(_matched(s, names) for s, _ in votes),
        weights=aspect_weights,
        close_call=close_call,
        flip=flip,
        verdict=verdict,
        margin=margin,
        sensitivity=sensitivity(snapshot, aspect_weights, sums, pool, winner, must_have),
        combination=_combination(snapshot, aspect_weights, votes, sums, pool, failures),
        all_ruled_out=bool(failures[winner]),
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


def _scores_options(question: QuestionInfo, option: OptionInfo, known: Mapping) -> bool:
    """Whether an option's weights count: a context option naming a scenario votes through it instead."""
    return not (question.context and any(slug in known for slug in option.scenarios))


def combined_weights(
    snapshot: Snapshot, answers: Answers, weights: Mapping[str, float], must_have: Iterable[str] = ()
) -> dict:
    """The weight of each aspect: the chosen options' weights, the explicit weights, the must-have floor.

    A context option (what is built, what exists) that names a scenario adds no
    weights: its scenario's vote stands for it (docs/scoring.md). A must-have
    aspect weighs at least MUST_HAVE_WEIGHT.
    """
    totals: dict[str, float] = {}
    known = snapshot._scenarios_by_slug
    for question in snapshot.questions:
        for option_slug in answers.get(question.slug, ()):
            option = question.option(option_slug)
            if option is None or not _scores_options(question, option, known):
                continue
            for aspect, weight in option.weights.items():
                totals[aspect] = totals.get(aspect, 0.0) + weight
    for aspect, weight in weights.items():
        totals[aspect] = totals.get(aspect, 0.0) + weight
    for aspect in must_have:
        if totals.get(aspect, 0.0) < MUST_HAVE_WEIGHT:
            totals[aspect] = MUST_HAVE_WEIGHT
    return {aspect: weight for aspect, weight in totals.items() if weight}


def scenario_votes(snapshot: Snapshot, answers: Answers) -> tuple[tuple[ScenarioInfo, float], ...]:
    """The matched scenarios, in the snapshot's order, each with the weight of its vote.

    A context answer votes CONTEXT_WEIGHT in all, shared by the scenarios its
    option names; any other answer's scenario votes SCENARIO_WEIGHT. A scenario
    named by two answers votes once, with the larger weight.
    """
    known = snapshot._scenarios_by_slug
    found: dict[str, float] = {}
    for question in snapshot.questions:
        for slug, vote in _question_votes(question, answers.get(question.slug, ()), known).items():
            found[slug] = max(found.get(slug, 0.0), vote)
    return tuple((s, found[s.slug]) for s in snapshot.scenarios if s.slug in found)


def _question_votes(question: QuestionInfo, option_slugs, known: Mapping) -> dict[str, float]:
    """The scenarios one question's chosen options name, each with its vote (see scenario_votes)."""
    found: dict[str, float] = {}
    for option_slug in option_slugs:
        option = question.option(option_slug)
        if option is None:
            continue
        slugs = [slug for slug in option.scenarios if slug in known]
        if not slugs:
            continue
        vote = CONTEXT_WEIGHT / len(slugs) if question.context else SCENARIO_WEIGHT
        for slug in slugs:
            found[slug] = max(found.get(slug, 0.0), vote)
    return found


def matched_scenarios(snapshot: Snapshot, answers: Answers) -> tuple[ScenarioInfo, ...]:
    """The scenarios the chosen options point to, in the snapshot's order."""
    return tuple(scenario for scenario, _ in scenario_votes(snapshot, answers))


def _aspect_sums(snapshot: Snapshot, aspect_weights: Mapping[str, float]) -> list[float]:
    """Per framework, the sum of weight x centred rating over the weighted aspects."""
    columns = snapshot.columns
    sums = [0.0] * len(snapshot.frameworks)
    for aspect, weight in aspect_weights.items():
        column = columns.get(aspect)
        if column is not None:
            sums = [total + weight * value for total, value in zip(sums, column, strict=True)]
    return sums


def _with_votes(snapshot: Snapshot, aspect_sums: list[float], votes) -> list[float]:
    """Add the scenario votes: +vote to the frameworks a scenario credits, -vote to every other one."""
    signs = snapshot._vote_signs
    for scenario, vote in votes:
        aspect_sums = [
            total + vote * sign for total, sign in zip(aspect_sums, signs[scenario.slug], strict=True)
        ]
    return aspect_sums


def _key(sums: list[float], index: int) -> tuple[float, int]:
    # Round away float noise so that equal sums tie, and ties keep snapshot order.
    return (-round(sums[index], 9), index)


def _pool(failures) -> list[int]:
    """The frameworks that can win: the eligible ones, else those failing fewest checks."""
    fewest = min(len(f) for f in failures)
    return [i for i, f in enumerate(failures) if len(f) == fewest]


def _best(sums: list[float], pool: Sequence[int]) -> int:
    """The framework of the pool (in snapshot order) that leads, as `_key` orders them."""
    # The same as min(pool, key=_key) without rounding every sum: only those that can round to the top.
    top = round(max(map(sums.__getitem__, pool)), 9)
    near = top - 1e-9
    return next(i for i in pool if sums[i] >= near and round(sums[i], 9) == top)


def _order(sums: list[float], failures) -> list[int]:
    """Eligible frameworks by score, then the ruled-out ones by fewest failures, then score."""
    return sorted(range(len(sums)), key=lambda i: (len(failures[i]) > 0, len(failures[i]), *_key(sums, i)))


def _verdict(sums, pool, order, winner, scale) -> tuple[str, float]:
    """clear / close_call / tie, and the margin in points between the first two that can win."""
    contenders = sorted(pool, key=lambda i: _key(sums, i))
    if len(contenders) < 2:
        following = [i for i in order if i != winner]
        margin = round((sums[winner] - sums[following[0]]) * scale, 1) if following else 0.0
        return CLEAR, max(margin, 0.0)
    margin = round((sums[winner] - sums[contenders[1]]) * scale, 1)
    if margin <= 0:
        return TIE, 0.0
    return (CLOSE_CALL if margin <= CLOSE_CALL_MARGIN else CLEAR), margin


def _terms(snapshot: Snapshot, aspect_weights, votes, scale) -> list[_Term]:
    """Per aspect and matched scenario: its key, its points (to 2 decimals) per level, each framework's level.

    A term takes a few values only (one per distinct rating, two per scenario), so
    they are rounded once here and every framework's contribution is a lookup.
    """
    if not scale:
        return []
    levels = snapshot.levels
    unrated = ((0.0,), (0,) * len(snapshot.frameworks))
    terms = []
    for aspect, weight in aspect_weights.items():
        points = weight * scale
        values, codes = levels.get(aspect, unrated)
        terms.append((aspect, [round(points * value, 2) for value in values], codes))
    for scenario, vote in votes:
        points = round(vote * scale, 2)
        signs = [points * sign for sign in VOTE_SIGNS]
        terms.append((f"scenario:{scenario.slug}", signs, snapshot._vote_codes[scenario.slug]))
    return terms


def _contributions(terms, count: int) -> list[dict[str, float]]:
    """Per framework, the points (to 2 decimals) each aspect and matched scenario adds to the 50 baseline."""
    if not terms:
        return [{} for _ in range(count)]
    keys = [key for key, _, _ in terms]
    # Term by term (one lookup per framework each), then transposed into one dict per framework.
    rows = [list(map(table.__getitem__, codes)) for _, table, codes in terms]
    return [dict(zip(keys, row, strict=True)) for row in zip(*rows, strict=True)]


def _first_per_framework(entries, groups, count: int, limit: int, make) -> list[list]:
    """Per framework, what `make` says of the first `limit` entries at its own levels.

    `entries` are sorted 4-tuples ending with a term index and a level; `groups[k][level]`
    lists (tag, frameworks) for the frameworks at that level, grouped by what `make`
    needs to know of them. One walk down the entries makes one object per entry and
    group that still wants it, and stops once every framework has its `limit`.
    """
    found: list[list] = [[] for _ in range(count)]
    left = [limit] * count
    waiting = count
    for entry in entries:
        for tag, members in groups[entry[2]][entry[3]]:
            made = None
            for i in members:
                if left[i]:
                    if made is None:
                        made = make(entry, tag, i)
                    found[i].append(made)
                    left[i] -= 1
                    if not left[i]:
                        waiting -= 1
        if not waiting:
            break
    return found


def _groups(snapshot: Snapshot, terms, kind: str, tag_of) -> list[tuple]:
    """Per term and level, (tag, frameworks) with the frameworks at that level grouped by tag_of(index, key).

    Levels and tags depend on the snapshot only, so the groups are memoised on it.
    """
    cache = snapshot._level_groups
    found = []
    for key, table, codes in terms:
        groups = cache.get((kind, key))
        if groups is None:
            by_level: list[dict] = [{} for _ in range(max(codes, default=-1) + 1)]
            for i, code in enumerate(codes):
                by_level[code].setdefault(tag_of(i, key), []).append(i)
            groups = cache[kind, key] = tuple(
                tuple((tag, tuple(members)) for tag, members in level.items()) for level in by_level
            )
        # A term's table has one value per level; a level no framework is at has no members.
        found.append(groups + ((),) * (len(table) - len(groups)))
    return found


def _all_points(snapshot: Snapshot, terms) -> list[tuple[tuple[Point, ...], ...]]:
    """Per framework, up to MAX_POINTS largest positive and negative (rounded) contributions, as Points.

    Largest first, equal ones in aspect order; scenario votes are not aspects. The
    candidate (aspect, level) pairs are sorted once, and each framework takes the
    first few at its own levels.
    """
    position = snapshot._aspect_positions
    ups, downs = [], []
    for k, (key, table, _) in enumerate(terms):
        if key not in position:
            continue
        for level, value in enumerate(table):
            if value > 0:
                ups.append((-value, position[key], k, level))
            elif value < 0:
                downs.append((value, position[key], k, level))
    ups.sort()
    downs.sort()
    frameworks = snapshot.frameworks

    def rating_of(index: int, key: str) -> tuple[int | None, str]:
        rating = frameworks[index].ratings.get(key)
        return (rating.score, rating.label) if rating else (None, "not rated")

    def point(entry: tuple, rating: tuple[int | None, str], _index: int) -> Point:
        key, table, _ = terms[entry[2]]
        return Point(key, table[entry[3]], *rating)

    # Equal points (same term, level and rating) are one immutable object.
    groups = _groups(snapshot, terms, "rating", rating_of)
    count = len(frameworks)
    strengths = _first_per_framework(ups, groups, count, MAX_POINTS, point)
    weaknesses = _first_per_framework(downs, groups, count, MAX_POINTS, point)
    return [(tuple(up), tuple(down)) for up, down in zip(strengths, weaknesses, strict=True)]


def _rating(framework: FrameworkInfo, aspect: str) -> int | None:
    rating = framework.ratings.get(aspect)
    return rating.score if rating is not None else None


def rule_out(
    snapshot: Snapshot, must_have: Iterable[str], constraints: Constraints | None
) -> list[tuple[RuledOut, ...]]:
    """Per framework (snapshot order), why it cannot be chosen: failed must-haves, then constraints."""
    columns = [_must_have_failures(snapshot, aspect) for aspect in must_have]
    if constraints is not None:
        columns.append(_constraints_failures(snapshot, constraints))
    if not columns:
        return [()] * len(snapshot.frameworks)
    return [tuple(r for failed in row for r in failed) for row in zip(*columns, strict=True)]


def _must_have_failures(snapshot: Snapshot, aspect: str) -> tuple[tuple[RuledOut, ...], ...]:
    """Per framework, () when it meets this must-have, else why not; memoised on the snapshot."""
    cache = snapshot._rule_out_cache
    found = cache.get(aspect)
    if found is None:
        found = tuple(
            ()
            if _meets(snapshot, index, aspect, score := _rating(framework, aspect))
            else (RuledOut(aspect, _must_have_reason(snapshot, aspect, score)),)
            for index, framework in enumerate(snapshot.frameworks)
        )
        if snapshot.aspect(aspect) is not None:
            cache[aspect] = found
    return found


def _constraints_failures(snapshot: Snapshot, constraints: Constraints) -> tuple[tuple[RuledOut, ...], ...]:
    """Per framework, the constraints it fails; memoised on the snapshot for the last few sets."""
    cache = snapshot._rule_out_cache
    found = cache.get(constraints)
    if found is None:
        found = tuple(tuple(_constraint_failures(f.facts, constraints)) for f in snapshot.frameworks)
        if len(cache) >= RULE_OUT_CACHE_SIZE:
            cache.clear()
        cache[constraints] = found
    return found


def _meets(snapshot: Snapshot, index: int, aspect: str, score: int | None) -> bool:
    if score is not None and score >= MUST_HAVE_MIN:
        return True
    return any(c.covers.get(aspect, 0) >= MUST_HAVE_MIN for c in snapshot._companions_of[index])


def _lower_first(name: str) -> str:
    """An aspect's name inside a sentence: "Built-in ORM" → "built-in ORM"."""
    return name[:1].lower() + name[1:]


def _must_have_reason(snapshot: Snapshot, aspect: str, score: int | None) -> str:
    info = snapshot.aspect(aspect)
    name = info.name if info else aspect
    lower = _lower_first(name)
    if score is None:
        return f"{name} is not rated, and no companion covers it"
    if score == SCORE_MIN:
        return f"No {lower} ({score}/{SCORE_MAX}) and no companion covers it"
    needs = f"a must-have needs {MUST_HAVE_MIN}"
    return f"Too little {lower} ({score}/{SCORE_MAX}, {needs}) and no companion covers it"


def _constraint_failures(facts: FactsInfo | None, constraints: Constraints) -> list[RuledOut]:
    found = []
    if constraints.python:
        reason = _python_problem(facts, constraints.python)
        if reason:
            found.append(RuledOut("constraint:python", reason))
    if constraints.supported_until:
        until = facts.supported_until if facts else ""
        if not until:
            found.append(RuledOut("constraint:supported_until", "Its end of support is unknown"))
        elif until < constraints.supported_until:
            found.append(
                RuledOut(
                    "constraint:supported_until",
                    f"Supported only until {until}, before {constraints.supported_until}",
                )
            )
    if constraints.no_open_advisories:
        if facts is None:
            found.append(RuledOut("constraint:no_open_advisories", "Its security advisories are unknown"))
        elif facts.advisories:
            ids = ", ".join(a.id for a in facts.advisories[:MAX_REASONS])
            more = len(facts.advisories) - MAX_REASONS
            listed = f"{ids} and {more} more" if more > 0 else ids
            found.append(
                RuledOut("constraint:no_open_advisories", f"Open advisories on its latest release: {listed}")
            )
    return found


def _python_problem(facts: FactsInfo | None, version: str) -> str:
    """Why a framework does not support this Python version, or "" when it does."""
    if facts is None or not (facts.python_versions or facts.requires_python):
        return f"Support for Python {version} is unknown"
    if version in facts.python_versions:
        return ""
    if facts.requires_python:
        try:
            supported = SpecifierSet(facts.requires_python).contains(version)
        except InvalidSpecifier:
            return f"Support for Python {version} is unknown (unreadable requirement)"
        if supported:
            return ""
        return f"Does not support Python {version} (requires {facts.requires_python})"
    return f"Python {version} is not among the versions it lists ({', '.join(facts.python_versions)})"


def _stack(snapshot, index, wanted, scenario_slugs) -> Stack:
    """The framework and the companions that fill what it lacks for these answers.

    A gap is a wanted aspect (a must-have or a positively weighted one) rated below
    MUST_HAVE_MIN; each gap gets one companion that covers it above the framework's
    rating: the highest level, then one already in the stack, then the first in
    snapshot order. Companions named by a matched scenario join too. Listed in
    snapshot order.
    """
    framework = snapshot.frameworks[index]
    reach = snapshot._companions_of[index]
    if not reach:
        return snapshot._bare_stacks[index]
    chosen: dict[str, list[str]] = {}
    # Only the gaps some companion can fill, in aspect order like `wanted`.
    for aspect, fillers in snapshot._gap_fillers[index]:
        if aspect not in wanted:
            continue
        best, best_key = None, None
        for position, companion, level in fillers:
            key = (level, companion.slug in chosen, -position)
            if best_key is None or key > best_key:
                best, best_key = companion, key
        chosen.setdefault(best.slug, []).append(aspect)
    if scenario_slugs:
        for companion in reach:
            if companion.slug not in chosen and scenario_slugs.intersection(companion.scenarios):
                chosen[companion.slug] = [a for a in wanted if a in companion.covers]
    if not chosen:
        return snapshot._bare_stacks[index]
    return Stack(
        framework.slug,
        tuple(
            StackCompanion(c.slug, c.name, c.package, tuple(chosen[c.slug]))
            for c in reach
            if c.slug in chosen
        ),
    )


def sensitivity(snapshot, aspect_weights, sums, pool, winner, must_have=()) -> tuple[Sensitivity, ...]:
    """For the SENSITIVE_ASPECTS heaviest aspects, the nearest whole weight in -3..3 that changes the winner.

    Every framework's sum is linear in one weight, so each rival's crossing point
    is solved for directly; the winner at that weight is then found in one pass.
    Aspects whose weight cannot change the winner within the range are left out.
    """
    position = snapshot._aspect_positions
    heaviest = sorted(
        (a for a in aspect_weights if a in snapshot.columns),
        key=lambda a: (-abs(aspect_weights[a]), position[a]),
    )[:SENSITIVE_ASPECTS]
    names = snapshot.frameworks
    found = []
    for aspect in heaviest:
        now = aspect_weights[aspect]
        column = snapshot.columns[aspect]
        low = MUST_HAVE_WEIGHT if aspect in must_have else -WEIGHT_LIMIT
        candidates = []
        up, down = _crossings(sums, pool, winner, column, now, low, WEIGHT_LIMIT)
        for weight in (up, down):
            if weight is None:
                continue
            moved = [total + (weight - now) * value for total, value in zip(sums, column, strict=True)]
            new = _best(moved, pool)
            if new != winner:
                candidates.append((abs(weight - now), -weight, weight, new))
        if candidates:
            _, _, weight, new = min(candidates)
            found.append(Sensitivity(aspect, now, float(weight), names[new].slug))
    return tuple(found)


def _crossings(sums, pool, winner, column, now, low, high) -> tuple[int | None, int | None]:
    """The nearest whole weights above and below `now` (in low..high) where a rival overtakes the winner."""
    up = down = None
    lead = sums[winner]
    for rival in pool:
        if rival == winner:
            continue
        gap = lead - sums[rival]  # >= 0: the winner leads, or ties and comes first
        slope = column[rival] - column[winner]  # how fast the rival gains per unit of weight
        if not slope:
            continue
        at = now + gap / slope
        # At `at` they tie: the rival wins there only if it comes first in the snapshot.
        if slope > 0:
            weight = math.ceil(at - 1e-9) if rival < winner else math.floor(at + 1e-9) + 1
            weight = max(weight, math.floor(now) + 1)
            if weight <= high and (up is None or weight < up):
                up = weight
        else:
            weight = math.floor(at + 1e-9) if rival < winner else math.ceil(at - 1e-9) - 1
            weight = min(weight, math.ceil(now) - 1)
            if weight >= low and (down is None or weight > down):
                down = weight
    return up, down


def _combination(snapshot, aspect_weights, votes, sums, pool, failures) -> Combination | None:
    """Product + service: a scenario best run as its own service, and a product needing another framework.

    The service framework is the best-scoring one the scenario credits and no
    constraint rules out (a must-have it fails is a product need). The product
    needs are the positively weighted aspects it rates below MUST_HAVE_MIN; when
    they weigh COMBINATION_MIN_WEIGHT or more and another framework that can win
    leads on them alone, that framework builds the product.
    """
    service_scenario = next((s for s, _ in votes if s.separate_service), None)
    if service_scenario is None:
        return None
    frameworks = snapshot.frameworks
    credited = [
        i
        for i, framework in enumerate(frameworks)
        if framework.slug in service_scenario.favoured
        and not any(r.aspect.startswith("constraint:") for r in failures[i])
    ]
    if not credited:
        return None
    service = _best(sums, credited)
    needs = {
        a: w
        for a, w in aspect_weights.items()
        if w > 0 and a in snapshot.columns and (_rating(frameworks[service], a) or 0) < MUST_HAVE_MIN
    }
    if sum(needs.values()) < COMBINATION_MIN_WEIGHT:
        return None
    # As _aspect_sums(snapshot, needs), for the frameworks that can win only.
    need_sums = [0.0] * len(pool)
    for aspect, weight in needs.items():
        column = snapshot.columns[aspect]
        need_sums = [total + weight * column[i] for total, i in zip(need_sums, pool, strict=True)]
    product = pool[_best(need_sums, range(len(pool)))]
    if product == service:
        return None
    position = snapshot._aspect_positions
    listed = sorted(needs, key=lambda a: position[a])
    described = ", ".join(
        f"{_lower_first(snapshot.aspect(a).name)} ({_rating(frameworks[product], a) or 0} vs "
        f"{_rating(frameworks[service], a) or 0}/{SCORE_MAX})"
        for a in listed[:MAX_REASONS]
    )
    reason = (
        f"“{service_scenario.situation}” is best run as its own service, where {frameworks[service].name} "
        f"fits; the product around it asks for what {frameworks[product].name} builds in and "
        f"{frameworks[service].name} does not: {described}."
    )
    return Combination(
        (
            CombinationPart(frameworks[product].slug, "product"),
            CombinationPart(frameworks[service].slug, "service"),
        ),
        reason,
    )


class _Describer:
    """Names, labels and sources for reason texts, memoised for the snapshot (see Snapshot._describer)."""

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
    reasons = []
    for negated_edge, key in widest:
        if negated_edge >= 0:
            break
        reasons.append(_reason(describe, subject, rival, key, negated_edge, winning))
    return tuple(reasons)


def _losing_reasons(describe, terms, count: int, winner: int) -> list[tuple[Reason, ...]]:
    """Per framework, why it lost to the winner: as `_reasons(..., winning=False)`, in one pass.

    A framework's edge on a term depends only on its level there, so the (term, level)
    pairs where the winner leads are sorted once, widest first, ties by key, and each
    framework takes the first MAX_REASONS at its own levels.
    """
    sign = -1
    entries = []
    for k, (key, table, codes) in enumerate(terms):
        theirs = table[codes[winner]]
        for level, value in enumerate(table):
            negated_edge = sign * (theirs - value)
            if negated_edge < 0:
                entries.append((negated_edge, key, k, level))
    entries.sort()

    def tag_of(index: int, key: str):
        # A scenario's reason names only the winner; an aspect's, how the subject is described there.
        return None if key in describe.scenarios else describe(index, key)

    def reason(entry: tuple, _tag, index: int) -> Reason:
        negated_edge, key, _, _ = entry
        return _reason(describe, index, winner, key, negated_edge, winning=False)

    # Equal reasons (same term, level and description) are one immutable object.
    groups = _groups(describe.snapshot, terms, "description", tag_of)
    chosen = _first_per_framework(entries, groups, count, MAX_REASONS, reason)
    return [tuple(found) for found in chosen]


def _reason(describe, subject, rival, key, negated_edge, winning) -> Reason:
    """One reason: the edge on `key` between `subject` and `rival`, in words."""
    sign = 1 if winning else -1
    rival_name = describe.snapshot.frameworks[rival].name
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
    return Reason(key, title, text, round(-sign * negated_edge, 2), source)


def _candidate_changes(snapshot: Snapshot, answers: Answers, *, context: bool) -> Iterable[Change]:
    """Each one-step change of (non-)context answers: pick another option, clear, or toggle one."""
    kind = PROJECT if context else PREFERENCE
    for question in snapshot.questions:
        if question.context != context:
            continue
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
            yield Change(question.slug, current, after, kind)


def _weight_text(weight: float) -> str:
    return f"{weight:g}"


def _preference_changes(snapshot, answers, aspect_weights, must_have) -> list[Change]:
    """Answer changes to preference questions, then dropping one must-have, then one step of one weight."""
    changes = list(_candidate_changes(snapshot, answers, context=False))
    changes.extend(Change(MUST_HAVE_CHANGE, (aspect,), ()) for aspect in must_have)
    for aspect in snapshot.aspects:
        weight = aspect_weights.get(aspect.slug, 0.0)
        if not weight or not aspect.numeric:
            continue
        for step in (1, -1):
            after = weight + step
            # A step stays in -3..3, or moves towards it from a sum of options beyond it.
            if abs(after) <= WEIGHT_LIMIT or abs(after) < abs(weight):
                name = f"{WEIGHT_CHANGE_PREFIX}{aspect.slug}"
                changes.append(Change(name, (_weight_text(weight),), (_weight_text(after),)))
    return changes


def find_flip(
    snapshot,
    answers,
    weights,
    max_changes=2,
    _base=None,
    *,
    must_have: tuple[str, ...] = (),
    constraints: Constraints | None = None,
) -> Flip | None:
    """The smallest change a decider would take that changes the recommendation.

    Preferences first: one change (another option for a preference question,
    dropping a must-have, one weight up or down by 1), then two. Only when none
    of those flips it, a change of a context question (what is built, what
    exists), alone and then with one preference change, labelled kind=project.
    Within a stage, a change that hands the win to the runner-up is preferred;
    else, and among equals, the first in question, option and aspect order wins,
    so the answer is deterministic. Pairs are tried up to MAX_FLIP_PAIRS
    per stage, which bounds the cost on a large chooser.
    """
    weights = dict(weights or {})
    if _base is None:
        base_weights = combined_weights(snapshot, answers, weights, must_have)
        failures = rule_out(snapshot, must_have, constraints)
        base_sums = _aspect_sums(snapshot, base_weights)
        base = _best(_with_votes(snapshot, base_sums, scenario_votes(snapshot, answers)), _pool(failures))
    else:
        base_weights, base_sums, failures, base = _base
    columns = snapshot.columns
    signs = snapshot._vote_signs
    # A flip to the runner-up (the next that can win) is what a decider weighs; another only if none.
    base_votes = scenario_votes(snapshot, answers)
    base_vote_sums = _with_votes(snapshot, [0.0] * len(base_sums), base_votes)
    base_vote_map = {scenario.slug: vote for scenario, vote in base_votes}
    base_pool = _pool(failures)
    base_total = [total + vote for total, vote in zip(base_sums, base_vote_sums, strict=True)]
    contenders = sorted((i for i in base_pool if i != base), key=lambda i: _key(base_total, i))
    runner_up = contenders[0] if contenders else None

    def by_total(i: int) -> tuple[float, int]:
        return (-base_total[i], i)

    base_pool_by_total = sorted(base_pool, key=by_total)
    failing = None

    known = snapshot._scenarios_by_slug
    # The weights before the must-have floor: a change moves these, then the floor applies again.
    base_raw = combined_weights(snapshot, answers, weights)
    kept_all = frozenset(must_have)
    voting = {
        question.slug: any(slug in known for option in question.options for slug in option.scenarios)
        for question in snapshot.questions
    }

    # Per scenario, the vote each answered question gives it: a change of one question's
    # answer re-takes the largest vote of the scenarios it touches, not of every question.
    base_by_question = {
        q.slug: _question_votes(q, answers.get(q.slug, ()), known) for q in snapshot.questions
    }
    base_by_scenario: dict[str, dict[str, float]] = {}
    for question_slug, votes in base_by_question.items():
        for slug, vote in votes.items():
            base_by_scenario.setdefault(slug, {})[question_slug] = vote

    def answer_weights(question: QuestionInfo, option_slugs, sign: float, into: dict) -> None:
        for slug in option_slugs:
            option = question.option(slug)
            if option is not None and _scores_options(question, option, known):
                for aspect, weight in option.weights.items():
                    into[aspect] = into.get(aspect, 0.0) + sign * weight

    def winner_after(changes: tuple[Change, ...]) -> int:
        nonlocal failing
        # The same weights combined_weights() would give for the changed answers, worked
        # out from what the changes move rather than from every question again.
        raw_moves: dict[str, float] = {}
        dropped: set[str] = set()
        new_by_question: dict[str, dict[str, float]] = {}
        for change in changes:
            if change.question == MUST_HAVE_CHANGE:
                dropped.update(change.before)
            elif change.question.startswith(WEIGHT_CHANGE_PREFIX):
                aspect = change.question[len(WEIGHT_CHANGE_PREFIX) :]
                step = float(change.after[0]) - float(change.before[0])
                raw_moves[aspect] = raw_moves.get(aspect, 0.0) + step
            else:
                question = snapshot.question(change.question)
                answer_weights(question, change.before, -1.0, raw_moves)
                answer_weights(question, change.after, 1.0, raw_moves)
                if voting[question.slug]:
                    new_by_question[question.slug] = _question_votes(question, change.after, known)
        kept = kept_all - dropped
        moved = []
        reach = 0.0
        for aspect in (*raw_moves, *sorted(dropped - raw_moves.keys())):
            weight = base_raw.get(aspect, 0.0) + raw_moves.get(aspect, 0.0)
            if aspect in kept and weight < MUST_HAVE_WEIGHT:
                weight = MUST_HAVE_WEIGHT
            delta = weight - base_weights.get(aspect, 0.0)
            column = columns.get(aspect)
            if delta and column is not None:
                moved.append((delta, column))
                reach += abs(delta)
        voted = []
        # Only the scenarios whose vote moved are added or taken away.
        touched = set()
        for question_slug, votes in new_by_question.items():
            touched.update(votes, base_by_question[question_slug])
        for slug in sorted(touched):
            others = base_by_scenario.get(slug, {})
            vote = max(
                (
                    *(v for q, v in others.items() if q not in new_by_question),
                    *(votes[slug] for votes in new_by_question.values() if slug in votes),
                ),
                default=0.0,
            )
            vote -= base_vote_map.get(slug, 0.0)
            if vote:
                voted.append((vote, signs[slug]))
                reach += abs(vote)
        if dropped:
            if failing is None:
                failing = [{r.aspect for r in found} for found in failures]
            counts = [len(f) - len(f & dropped) for f in failing]
            fewest = min(counts)
            pool = sorted((i for i, count in enumerate(counts) if count == fewest), key=by_total)
        else:
            pool = base_pool_by_total
        # A centred rating and a vote sign lie in -1..+1, so no sum moves by more than
        # `reach`: walking the pool from the highest sum down, the search ends at the
        # first framework that could not reach the best new sum even if it gained all of it.
        best, top = None, None
        for i in pool:
            if top is not None and base_total[i] + reach < top - 1e-6:
                break
            # The same sum as recommend() would make, in the same order of additions.
            total = base_sums[i]
            for delta, column in moved:
                total += delta * column[i]
            total += base_vote_sums[i]
            for vote, scenario_signs in voted:
                total += vote * scenario_signs[i]
            total = round(total, 9)
            # Equal sums go to the framework listed first in the snapshot, as in recommend().
            if top is None or total > top or (total == top and i < best):
                best, top = i, total
        return best

    def stages():
        # Built as reached: most recommendations flip on a single change, so the
        # list of pairs (and of project changes) is rarely needed.
        preference = _preference_changes(snapshot, answers, base_weights, must_have)
        yield ((change,) for change in preference)
        if max_changes >= 2:
            yield _pairs(preference, preference)
        project = list(_candidate_changes(snapshot, answers, context=True))
        yield ((change,) for change in project)
        if max_changes >= 2:
            yield _pairs(project, preference)

    for stage in stages():
        other = None
        for changes in stage:
            winner = winner_after(changes)
            if winner == runner_up:
                return _flip(snapshot, winner, changes)
            if winner != base and other is None:
                other = (winner, changes)
        if other is not None:
            return _flip(snapshot, *other)
    return None


def _pairs(firsts: list[Change], seconds: list[Change]) -> Iterable[tuple[Change, Change]]:
    """Pairs of changes to different questions (or weights), each pair once, at most MAX_FLIP_PAIRS."""
    same = firsts is seconds
    pairs = (
        (first, second)
        for i, first in enumerate(firsts)
        for second in (seconds[i + 1 :] if same else seconds)
        if first.question != second.question
    )
    return islice(pairs, MAX_FLIP_PAIRS)


def _flip(snapshot: Snapshot, winner: int, changes: tuple[Change, ...]) -> Flip:
    framework = snapshot.frameworks[winner]
    return Flip(recommended=framework.slug, name=framework.name, changes=changes)


def _apply(answers: Answers, changes, weights=None, base_weights=None):
    """The answers, explicit weights and dropped must-haves after the changes."""
    result = dict(answers)
    extra = dict(weights or {})
    dropped: set[str] = set()
    for change in changes:
        if change.question == MUST_HAVE_CHANGE:
            dropped.update(change.before)
        elif change.question.startswith(WEIGHT_CHANGE_PREFIX):
            aspect = change.question[len(WEIGHT_CHANGE_PREFIX) :]
            step = float(change.after[0]) - float(change.before[0])
            extra[aspect] = extra.get(aspect, 0.0) + step
        elif change.after:
            result[change.question] = change.after
        else:
            result.pop(change.question, None)
    return result, extra, dropped


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
                # Only when set, like the keys below, so older matrices keep their fingerprints.
                **({"context": True} if q.context else {}),
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
                **({"separate_service": True} if s.separate_service else {}),
            }
            for s in snapshot.scenarios
        ],
        **(
            {
                "companions": [
                    {
                        "slug": c.slug,
                        "name": c.name,
                        "package": c.package,
                        "docs_url": c.docs_url,
                        "frameworks": list(c.frameworks),
                        "covers": dict(c.covers),
                        "scenarios": list(c.scenarios),
                        "note": c.note,
                    }
                    for c in snapshot.companions
                ]
            }
            if snapshot.companions
            else {}
        ),
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
                context=q.get("context", False),
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
                separate_service=s.get("separate_service", False),
            )
            for s in data["scenarios"]
        ),
        companions=tuple(
            CompanionInfo(
                slug=c["slug"],
                name=c["name"],
                package=c.get("package", ""),
                docs_url=c.get("docs_url", ""),
                frameworks=tuple(c.get("frameworks", ())),
                covers=dict(c.get("covers", {})),
                scenarios=tuple(c.get("scenarios", ())),
                note=c.get("note", ""),
            )
            for c in data.get("companions", ())
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
