"""The matrix and the chooser as one JSON document: export, check and import.

The document is the seed format (comparisons/seed/matrix.json) with a header,
so an export can also serve as a seed file. `matrix_import` checks the whole
document before its first write, then makes the database match it inside one
transaction, matching items by slug. `matrix_seed` is its create-only mode for
the content loader, `matrix_read` its database-free checks (for engine tests).
docs/architecture.md ("Content export and import") describes the format and the rules.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings
from wagtail.log_actions import LogContext, log
from wagtail.models import Page

from comparisons.models import (
    Aspect,
    Framework,
    Option,
    OptionWeight,
    Question,
    Rating,
    ReleaseLine,
    Scenario,
)
from core.content_version import bump_content_version

SEED_FILE = Path(__file__).resolve().parent / "seed" / "matrix.json"
FORMAT = "stackfit-matrix"
VERSION = 1
SECTIONS = ("frameworks", "aspects", "ratings", "scenarios", "questions", "release_lines")
# Sections an older document may lack: they read as empty.
OPTIONAL_SECTIONS = ("release_lines",)
KINDS = (*SECTIONS, "options", "option weights")
# Referenced items are written before the items that refer to them.
WRITE_ORDER = (
    "aspects",
    "frameworks",
    "scenarios",
    "ratings",
    "release_lines",
    "questions",
    "options",
    "option weights",
)
SINGULAR = {
    "frameworks": "framework",
    "aspects": "aspect",
    "ratings": "rating",
    "scenarios": "scenario",
    "questions": "question",
    "options": "option",
    "option weights": "weight",
    "release_lines": "release-line",
}

# Model fields copied as they are; the rest are references, handled one by one.
PLAIN = {
    "frameworks": ("name", "kind", "summary", "website", "docs_url", "colour", "tagline", "package"),
    "aspects": ("name", "kind", "description", "in_overview"),
    "ratings": ("score", "label", "note", "source_anchor"),
    "scenarios": ("situation", "companion", "rationale", "in_cheat_sheet"),
    "questions": ("prompt", "help_text", "kind"),
    "options": ("label", "description"),
    "release_lines": ("lts", "released_on", "end_of_support", "source"),
}


# ---------------------------------------------------------------- document shape
#
# The serializers check JSON types strictly (a "yes" is not a boolean here, as it
# would be for a form) and fill in defaults. Their required keys are the ones a
# seed file must carry, so whatever imports can also be loaded as a seed file.

JSON_OBJECT_EXPECTED = "expected an object, got {got}"


class JSONValue(serializers.Field):
    """A value of exactly the given JSON types, passed through as it is."""

    default_error_messages = {
        "required": "required key is missing",
        "type": "expected {expected}, got {got}",
    }

    def __init__(self, *types, **kwargs):
        self.types = types
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        # Only a missing key is "empty": null is a JSON value like any other and is type-checked.
        # Field's own method, named outright: the list and object fields below borrow this one.
        return serializers.Field.validate_empty_values(self, data) if data is empty else (False, data)

    def to_internal_value(self, data):
        if _json_type(data) not in self.types:
            self.fail("type", expected=" or ".join(self.types), got=_json_type(data))
        return data

    def to_representation(self, value):
        return value


class _JSONArray:
    """A list field or list serializer that names the JSON type it got instead of a list."""

    default_error_messages = JSONValue.default_error_messages
    validate_empty_values = JSONValue.validate_empty_values

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("type", expected="array", got=_json_type(data))
        return super().to_internal_value(data)


class JSONArrayOf(_JSONArray, serializers.ListField):
    pass


class JSONDate(JSONValue):
    """A date written as "YYYY-MM-DD", or null for unknown."""

    default_error_messages = {**JSONValue.default_error_messages, "date": "expected a date as YYYY-MM-DD"}

    def __init__(self, **kwargs):
        super().__init__("string", "null", **kwargs)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data is None:
            return None
        try:
            return datetime.date.fromisoformat(data) if len(data) == 10 else self.fail("date")
        except ValueError:
            self.fail("date")

    def to_representation(self, value):
        return value.isoformat() if value else None


class JSONObjectOf(serializers.DictField):
    default_error_messages = JSONValue.default_error_messages
    validate_empty_values = JSONValue.validate_empty_values

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("type", expected="object", got=_json_type(data))
        return _object_value(
            _duplicate_key_errors(data), lambda: super(JSONObjectOf, self).to_internal_value(data)
        )


def _duplicate_key_errors(data) -> dict:
    return {key: ["key appears twice in the same object"] for key in getattr(data, "duplicates", ())}


def _object_value(errors: dict, parse) -> dict:
    """The parsed object, or every problem at once: the ones found so far and the parser's own."""
    try:
        value = parse()
    except serializers.ValidationError as error:
        _merge(errors, error.detail)
    if errors:
        raise serializers.ValidationError(errors)
    return dict(value)


class _ItemList(_JSONArray, serializers.ListSerializer):
    pass


class JSONObject(serializers.Serializer):
    """A JSON object with exactly the declared keys: unknown and repeated keys are problems too."""

    default_error_messages = JSONValue.default_error_messages
    validate_empty_values = JSONValue.validate_empty_values

    class Meta:
        list_serializer_class = _ItemList

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [JSON_OBJECT_EXPECTED.format(got=_json_type(data))]}
            )
        errors = _duplicate_key_errors(data)
        expected = ", ".join(sorted(self.fields))
        for key in data:
            if key not in self.fields:
                errors.setdefault(key, []).append(f"unknown key (expected one of: {expected})")
        return _object_value(errors, lambda: super(JSONObject, self).to_internal_value(data))


def _text(**kwargs):
    return JSONValue("string", **kwargs)


class FrameworkItem(JSONObject):
    slug, name, kind, summary = _text(), _text(), _text(), _text()
    website, docs_url = _text(default=""), _text(default="")
    colour = _text()
    tagline = _text(default="")
    package = _text(default="")


class AspectItem(JSONObject):
    slug, name, kind, description = _text(), _text(), _text(), _text()
    in_overview = JSONValue("boolean", default=False)


class RatingItem(JSONObject):
    framework, aspect = _text(), _text()
    score = JSONValue("integer", "null")
    label = _text()
    note = _text(default="")
    source_page = JSONValue("string", "null", default="")
    source_anchor = _text(default="")


class ScenarioItem(JSONObject):
    slug, situation, framework = _text(), _text(), _text()
    companion = _text(default="")
    alternatives = JSONArrayOf(child=_text(), default=list)
    rationale = _text()
    in_cheat_sheet = JSONValue("boolean", default=False)


class OptionItem(JSONObject):
    slug, label = _text(), _text()
    description = _text(default="")
    weights = JSONObjectOf(child=JSONValue("integer"), default=dict)
    scenarios = JSONArrayOf(child=_text(), default=list)


class QuestionItem(JSONObject):
    slug, prompt = _text(), _text()
    help_text = _text(default="")
    kind = _text()
    options = OptionItem(many=True)


class ReleaseLineItem(JSONObject):
    framework, version = _text(), _text()
    lts = JSONValue("boolean", default=False)
    released_on = JSONDate(default=None)
    end_of_support = JSONDate(default=None)
    source = _text()


class DocumentSerializer(JSONObject):
    """The document's top level; its items are checked one by one with ITEM_SERIALIZERS."""

    format = _text()
    version = JSONValue("integer")
    frameworks, aspects, ratings = JSONValue("array"), JSONValue("array"), JSONValue("array")
    scenarios, questions = JSONValue("array"), JSONValue("array")
    release_lines = JSONValue("array", default=list)


ITEM_SERIALIZERS = {
    "frameworks": FrameworkItem,
    "aspects": AspectItem,
    "ratings": RatingItem,
    "scenarios": ScenarioItem,
    "questions": QuestionItem,
    "release_lines": ReleaseLineItem,
}


def _merge(errors: dict, detail) -> None:
    for key, value in dict(detail).items():
        if key in errors and isinstance(value, list) and all(isinstance(v, str) for v in value):
            errors[key] = [*errors[key], *value]
        else:
            errors.setdefault(key, value)


def _error_paths(errors, path: str):
    """(path, message) for each message in a serializer's nested errors: `ratings[3].score`."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                yield from _error_paths(value, path)
            elif isinstance(key, int):
                yield from _error_paths(value, f"{path}[{key}]")
            else:
                yield from _error_paths(value, f"{path}.{key}" if path else str(key))
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if isinstance(value, str):
                yield path, str(value)
            elif value:
                yield from _error_paths(value, f"{path}[{index}]")


class MatrixDocumentError(Exception):
    """A document that cannot be imported; `problems` lists every reason, each starting with its path."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------- export


def matrix_export() -> dict:
    """The frameworks, aspects, ratings, scenarios and chooser as a JSON-ready document.

    Every list is in display order and every key always present, so two
    exports of the same content serialise to the same bytes.
    """
    ratings = list(
        Rating.objects.published()
        .select_related("framework", "aspect")
        .order_by("aspect__sort_order", "aspect__pk", "framework__sort_order", "framework__pk")
    )
    pages = _page_references({r.source_page_id for r in ratings if r.source_page_id})
    return {
        "format": FORMAT,
        "version": VERSION,
        "frameworks": [_plain(f, "frameworks") for f in Framework.objects.published()],
        "aspects": [_plain(a, "aspects") for a in Aspect.objects.published()],
        "ratings": [
            {
                "framework": r.framework.slug,
                "aspect": r.aspect.slug,
                "score": r.score,
                "label": r.label,
                "note": r.note,
                "source_page": pages.get(r.source_page_id, ""),
                "source_anchor": r.source_anchor,
            }
            for r in ratings
        ],
        "scenarios": [
            {
                "slug": s.slug,
                "situation": s.situation,
                "framework": s.framework.slug,
                "companion": s.companion,
                "alternatives": [f.slug for f in s.alternatives.all()],
                "rationale": s.rationale,
                "in_cheat_sheet": s.in_cheat_sheet,
            }
            for s in Scenario.objects.published().with_framework()
        ],
        "questions": [
            {
                **_plain(q, "questions"),
                "options": [
                    {
                        **_plain(o, "options"),
                        "weights": {w.aspect.slug: w.weight for w in o.weights.all()},
                        "scenarios": [s.slug for s in o.scenarios.all()],
                    }
                    for o in q.options.all()
                ],
            }
            for q in Question.objects.published().with_options()
        ],
        "release_lines": [
            {
                "framework": line.framework.slug,
                "version": line.version,
                "lts": line.lts,
                "released_on": _iso(line.released_on),
                "end_of_support": _iso(line.end_of_support),
                "source": line.source,
            }
            for line in ReleaseLine.objects.filter(framework__live=True)
            .select_related("framework")
            .order_by("framework__sort_order", "framework__pk", "sort_order", "pk")
        ],
    }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def matrix_dumps(document: dict, indent: int | None = 2) -> str:
    """The document as text, with a final newline."""
    return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"


def _plain(obj, section: str) -> dict:
    return {"slug": obj.slug, **{name: getattr(obj, name) for name in PLAIN[section]}}


def _page_references(page_ids: set[int]) -> dict[int, str]:
    """How the document names each page: its slug, or its path when another page shares the slug."""
    pages = list(Page.objects.filter(pk__in=page_ids).only("slug", "url_path"))
    taken = Counter(Page.objects.filter(slug__in={p.slug for p in pages}).values_list("slug", flat=True))
    return {p.pk: p.slug if taken[p.slug] == 1 else p.url_path for p in pages}


# ---------------------------------------------------------------- import


def matrix_parse(text: str) -> dict:
    """Parse a document's text; a syntax error becomes a MatrixDocumentError naming line and column."""
    try:
        return json.loads(text, object_pairs_hook=_JSONObject.from_pairs)
    except json.JSONDecodeError as error:
        raise MatrixDocumentError(
            [f"line {error.lineno}, column {error.colno}: invalid JSON: {error.msg}"]
        ) from error


def matrix_read(text: str, *, header: bool = True) -> dict:
    """Parse a document and check all that needs no database: shape, types, duplicates, references.

    Returns the document with every default filled in. A seed file has no
    header; pass `header=False` to read one.
    """
    document = matrix_parse(text)
    if not header and isinstance(document, dict):
        document = {"format": FORMAT, "version": VERSION, **document}
    checker = _Checker()
    doc = checker._check_structure(document)
    if checker.problems:
        raise MatrixDocumentError(checker.problems)
    return doc


def seed_document() -> dict:
    """The seed file (comparisons/seed/matrix.json) as it is, without a header."""
    return matrix_parse(SEED_FILE.read_text(encoding="utf-8"))


class _JSONObject(dict):
    """A parsed JSON object that remembers keys it saw twice (json.loads keeps only the last)."""

    duplicates: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs):
        obj = cls()
        repeated = []
        for key, value in pairs:
            if key in obj:
                repeated.append(key)
            obj[key] = value
        obj.duplicates = tuple(repeated)
        return obj


@dataclass
class ImportReport:
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)
    # matrix_seed: the seed keys of items now loaded (created, or found present).
    recorded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def __str__(self):
        if not self.changed:
            headline = "Nothing to change: the database already matches the document."
        elif self.dry_run:
            headline = "Dry run: these changes would be made; nothing was written."
        else:
            headline = "Imported."
        lines = [headline]
        for kind in KINDS:
            counts = [
                f"{counter[kind]} {word}"
                for counter, word in (
                    (self.created, "created"),
                    (self.updated, "updated"),
                    (self.deleted, "deleted"),
                    (self.kept, "kept (not in the document)"),
                    (self.unchanged, "unchanged"),
                    (self.skipped, "kept (loaded before)"),
                )
                if counter[kind]
            ]
            if counts:
                lines.append(f"  {kind}: {', '.join(counts)}")
        return "\n".join(lines)


def matrix_import(document: dict, *, dry_run: bool = False, keep_missing: bool = False) -> ImportReport:
    """Make the database match the document, or raise MatrixDocumentError having written nothing.

    Items are matched by slug (ratings by framework and aspect, options by
    question and slug): existing ones are updated, new ones created, and the
    ones the document leaves out deleted unless `keep_missing`. With
    `dry_run` the report says what would change and nothing is written.
    """
    try:
        with transaction.atomic():
            plan = _Plan(document, keep_missing=keep_missing)
            report = plan.report(dry_run=dry_run)
            if report.changed and not dry_run:
                plan.apply()
                # Per-object saves bump it already; this covers modelcluster's m2m writes too.
                bump_content_version()
    except IntegrityError as error:
        # Only a concurrent edit can get here: the checks above match the database's constraints.
        raise MatrixDocumentError(
            [f"the database refused the import, nothing was changed: {error}"]
        ) from error
    return report


def matrix_seed(document: dict, *, loaded: set[str], kinds: tuple[str, ...] = KINDS) -> ImportReport:
    """Create the document's items of `kinds` that were never loaded; change nothing else.

    Each item has a seed key (`seed_key`); an item whose key is in `loaded` is
    skipped even when an editor changed or deleted it since, so a deletion is
    never undone. Items already present are left as they are and, like the
    created ones, listed in the report's `recorded`. An item whose framework,
    aspect or question is gone is left for a later run; an option's weights
    and scenario links are created with it. The whole document is checked as
    for `matrix_import`, except that a source page that is not there (yet)
    leaves the rating without one.
    """
    document = {"format": FORMAT, "version": VERSION, **document}
    with transaction.atomic():
        plan = _Plan(document, keep_missing=True, seed=(set(loaded), kinds))
        report = plan.report(dry_run=False)
        if report.changed:
            plan.apply()
            bump_content_version()
    return report


def seed_key(kind: str, key: tuple) -> str:
    """The name under which an item is remembered as loaded: `rating:flask:orm`."""
    return ":".join((SINGULAR[kind], *key))


@dataclass
class _Change:
    kind: str
    key: tuple
    action: str  # "create", "update", "delete", "keep" (--keep-missing), "same" or "skip" (seed)
    obj: object = None
    item: dict | None = None
    position: int | None = None

    @property
    def label(self) -> str:
        return f"{self.action} {SINGULAR[self.kind]} {'/'.join(self.key)}"


class _Checker:
    """Checks a document's shape, types, duplicates and references: everything but the database."""

    def __init__(self):
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- shape, types, duplicates and references

    def _check_structure(self, document) -> dict | None:
        if not isinstance(document, dict):
            self.problem("document", f"expected a JSON object, got {_json_type(document)}")
            return None
        if document.get("format") != FORMAT:
            found = json.dumps(document["format"]) if "format" in document else "no format"
            self.problem("format", f'expected "{FORMAT}", found {found}: not a Stackfit matrix export')
            return None
        version = document.get("version")
        if _json_type(version) != "integer" or version != VERSION:
            found = json.dumps(version) if "version" in document else "none"
            self.problem("version", f"this site reads version {VERSION}, found {found}")
            return None
        if not self._validate("", DocumentSerializer, document):
            return None
        # Item by item, so that one malformed item still leaves the others to check.
        doc = {
            section: [
                self._validate(f"{section}[{index}]", ITEM_SERIALIZERS[section], raw)
                for index, raw in enumerate(document.get(section, []))
            ]
            for section in SECTIONS
        }
        self._check_duplicates(doc)
        self._check_references(doc, document)
        return doc

    def _validate(self, path: str, serializer_class, data) -> dict | None:
        """The data as the serializer cleans it, or None with each of its problems recorded."""
        serializer = serializer_class(data=data)
        if serializer.is_valid():
            return serializer.validated_data
        for where, message in _error_paths(serializer.errors, path):
            self.problem(where or "document", message)
        return None

    def _check_duplicates(self, doc) -> None:
        def unique(items, key_of, path_of, what):
            seen = {}
            for index, item in enumerate(items):
                if item is None:
                    continue
                key = key_of(item)
                if key in seen:
                    self.problem(
                        path_of(index), f'duplicate {what} "{"/".join(key)}", also at {path_of(seen[key])}'
                    )
                else:
                    seen[key] = index

        for section in ("frameworks", "aspects", "scenarios", "questions"):
            unique(doc[section], lambda i: (i["slug"],), lambda n, s=section: f"{s}[{n}].slug", "slug")
        unique(
            doc["ratings"],
            lambda i: (i["framework"], i["aspect"]),
            lambda n: f"ratings[{n}]",
            "rating for",
        )
        unique(
            doc["release_lines"],
            lambda i: (i["framework"], i["version"]),
            lambda n: f"release_lines[{n}]",
            "release line",
        )
        for q_index, question in enumerate(doc["questions"]):
            if question is not None:
                unique(
                    question["options"],
                    lambda i: (i["slug"],),
                    lambda n, q=q_index: f"questions[{q}].options[{n}].slug",
                    "option slug",
                )
                for o_index, option in enumerate(question["options"]):
                    for s_index, slug in enumerate(option["scenarios"]):
                        if slug in option["scenarios"][:s_index]:
                            self.problem(
                                f"questions[{q_index}].options[{o_index}].scenarios[{s_index}]",
                                f'"{slug}" is listed twice',
                            )

    def _check_references(self, doc, document) -> None:
        # Slugs of malformed items count as known: their own problems are reported already.
        known = {
            section: {raw.get("slug") for raw in document[section] if isinstance(raw, dict)}
            for section in ("frameworks", "aspects", "scenarios")
        }

        def check(path, section, slug):
            if slug not in known[section]:
                self.problem(path, f'unknown {section.removesuffix("s")} "{slug}" (not in {section})')

        for index, rating in enumerate(doc["ratings"]):
            if rating:
                check(f"ratings[{index}].framework", "frameworks", rating["framework"])
                check(f"ratings[{index}].aspect", "aspects", rating["aspect"])
        for index, line in enumerate(doc["release_lines"]):
            if line:
                check(f"release_lines[{index}].framework", "frameworks", line["framework"])
        for index, scenario in enumerate(doc["scenarios"]):
            if scenario:
                check(f"scenarios[{index}].framework", "frameworks", scenario["framework"])
                for a_index, alternative in enumerate(scenario["alternatives"]):
                    path = f"scenarios[{index}].alternatives[{a_index}]"
                    check(path, "frameworks", alternative)
                    if alternative == scenario["framework"]:
                        self.problem(path, f'"{alternative}" is already the recommended framework')
        for q_index, question in enumerate(doc["questions"]):
            for o_index, option in enumerate(question["options"] if question else ()):
                path = f"questions[{q_index}].options[{o_index}]"
                for aspect in option["weights"]:
                    check(f"{path}.weights.{aspect}", "aspects", aspect)
                for s_index, scenario in enumerate(option["scenarios"]):
                    check(f"{path}.scenarios[{s_index}]", "scenarios", scenario)


class _Plan(_Checker):
    """A checked document and the changes that would make the database match it."""

    def __init__(self, document, *, keep_missing: bool, seed: tuple[set[str], tuple] | None = None):
        self.keep_missing = keep_missing
        self.seed = seed
        self.recorded: list[str] = []
        super().__init__()
        doc = self._check_structure(document)
        if doc is not None:
            self.pages = self._resolve_pages(doc)
            self._check_model_rules(doc)
        if self.problems:
            raise MatrixDocumentError(self.problems)
        self.doc = doc
        self._read_database()
        self.changes = self._diff() if seed is None else self._seed_diff(*seed)
        if keep_missing and seed is None:
            self._check_kept()
        if self.problems:
            raise MatrixDocumentError(self.problems)

    def _resolve_pages(self, doc) -> dict[str, int]:
        """Page id for each source_page: a slug that exactly one page has, or a page's url_path."""
        refs = {r["source_page"] for r in doc["ratings"] if r and r["source_page"]}
        by_ref = defaultdict(list)
        paths = {ref for ref in refs if ref.startswith("/")}
        for slug, pk in Page.objects.filter(slug__in=refs - paths).values_list("slug", "pk"):
            by_ref[slug].append(pk)
        for url_path, pk in Page.objects.filter(url_path__in=paths).values_list("url_path", "pk"):
            by_ref[url_path].append(pk)
        for index, rating in enumerate(doc["ratings"]):
            ref = rating["source_page"] if rating else None
            if not ref:
                continue
            found = by_ref.get(ref, [])
            if self.seed is not None:
                continue
            if not found:
                self.problem(f"ratings[{index}].source_page", f'no page has the {_ref_kind(ref)} "{ref}"')
            elif len(found) > 1:
                self.problem(
                    f"ratings[{index}].source_page",
                    f'{len(found)} pages have the slug "{ref}"; name the page by its url_path instead',
                )
        return {ref: pks[0] for ref, pks in by_ref.items() if len(pks) == 1}

    # -- the models' own rules

    def _check_model_rules(self, doc) -> None:
        frameworks = {}
        for index, item in enumerate(doc["frameworks"]):
            if item:
                frameworks[item["slug"]] = Framework(slug=item["slug"], **_values(item, "frameworks"))
                self._full_clean(frameworks[item["slug"]], f"frameworks[{index}]")
        # Rating.clean and OptionWeight.clean read the aspect only when aspect_id is set;
        # these throwaway instances are never saved, so a stand-in id is harmless.
        self.aspects = {}
        for index, item in enumerate(doc["aspects"]):
            if item:
                aspect = Aspect(pk=-1 - index, slug=item["slug"], **_values(item, "aspects"))
                self.aspects[item["slug"]] = aspect
                self._full_clean(aspect, f"aspects[{index}]")
        for index, item in enumerate(doc["scenarios"]):
            if item:
                scenario = Scenario(slug=item["slug"], **_values(item, "scenarios"))
                self._full_clean(scenario, f"scenarios[{index}]", exclude=["framework"])
        for index, item in enumerate(doc["ratings"]):
            if item and item["framework"] in frameworks and item["aspect"] in self.aspects:
                rating = Rating(
                    framework=frameworks[item["framework"]],
                    aspect=self.aspects[item["aspect"]],
                    **_values(item, "ratings"),
                )
                rating.source_page_id, rating.source_anchor = self._source(item)
                self._full_clean(rating, f"ratings[{index}]", exclude=["framework", "aspect", "source_page"])
        for index, item in enumerate(doc["release_lines"]):
            if item and item["framework"] in frameworks:
                line = ReleaseLine(
                    framework=frameworks[item["framework"]],
                    version=item["version"],
                    **_values(item, "release_lines"),
                )
                self._full_clean(line, f"release_lines[{index}]", exclude=["framework"])
        for q_index, item in enumerate(doc["questions"]):
            if not item:
                continue
            question = Question(slug=item["slug"], **_values(item, "questions"))
            self._full_clean(question, f"questions[{q_index}]")
            for o_index, option_item in enumerate(item["options"]):
                path = f"questions[{q_index}].options[{o_index}]"
                option = Option(slug=option_item["slug"], **_values(option_item, "options"))
                self._full_clean(option, path, exclude=["question"])
                for slug, weight in option_item["weights"].items():
                    if slug in self.aspects:
                        self._full_clean(
                            OptionWeight(aspect=self.aspects[slug], weight=weight),
                            f"{path}.weights.{slug}",
                            exclude=["option", "aspect"],
                            own_path=True,
                        )

    def _full_clean(self, obj, path, exclude=(), own_path=False) -> None:
        try:
            obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                where = path if own_path or name == NON_FIELD_ERRORS else f"{path}.{name}"
                for message in messages:
                    self.problem(where, message)

    # -- what would change

    def _read_database(self) -> None:
        # An import works on published content only, as the export does: an object that
        # exists only as a draft is neither changed, published nor deleted by it, and an
        # unpublished draft of a published object stays the draft (the import writes the
        # live row; the editor's draft revision is kept and still waits for Publish).
        self.existing = {
            "frameworks": {(f.slug,): f for f in Framework.objects.published()},
            "aspects": {(a.slug,): a for a in Aspect.objects.published()},
            "scenarios": {(s.slug,): s for s in Scenario.objects.published().with_framework()},
            "ratings": {
                (r.framework.slug, r.aspect.slug): r
                for r in Rating.objects.published().select_related("framework", "aspect")
            },
            "questions": {(q.slug,): q for q in Question.objects.published()},
            "release_lines": {
                (line.framework.slug, line.version): line
                for line in ReleaseLine.objects.filter(framework__live=True).select_related("framework")
            },
            "options": {
                (o.question.slug, o.slug): o
                for o in Option.objects.published().select_related("question").prefetch_related("scenarios")
            },
            "option weights": {
                (w.option.question.slug, w.option.slug, w.aspect.slug): w
                for w in OptionWeight.objects.filter(
                    option__live=True, option__question__live=True, aspect__live=True
                ).select_related("option__question", "aspect")
            },
        }
        self.drafts = {
            "frameworks": {(f.slug,) for f in Framework.objects.filter(live=False)},
            "aspects": {(a.slug,) for a in Aspect.objects.filter(live=False)},
            "scenarios": {(s.slug,) for s in Scenario.objects.filter(live=False)},
            "questions": {(q.slug,) for q in Question.objects.filter(live=False)},
            "options": {
                (o.question.slug, o.slug)
                for o in Option.objects.exclude(live=True, question__live=True).select_related("question")
            },
        }

    def _wanted(self) -> dict[str, list[tuple[tuple, dict, int | None]]]:
        """Each kind's items as (key, item, position) in the document's order."""
        doc = self.doc
        wanted = {
            section: [((i["slug"],), i, n) for n, i in enumerate(doc[section], start=1)]
            for section in ("frameworks", "aspects", "scenarios", "questions")
        }
        wanted["ratings"] = [((r["framework"], r["aspect"]), r, None) for r in doc["ratings"]]
        # A release line's position counts within its framework, as the admin's inline orders them.
        positions = Counter()
        wanted["release_lines"] = []
        for line in doc["release_lines"]:
            positions[line["framework"]] += 1
            wanted["release_lines"].append(
                ((line["framework"], line["version"]), line, positions[line["framework"]])
            )
        wanted["options"] = [
            ((q["slug"], o["slug"]), o, n)
            for q in doc["questions"]
            for n, o in enumerate(q["options"], start=1)
        ]
        wanted["option weights"] = [
            ((q["slug"], o["slug"], aspect), {"weight": weight}, None)
            for q in doc["questions"]
            for o in q["options"]
            for aspect, weight in o["weights"].items()
        ]
        return wanted

    def _diff(self) -> list[_Change]:
        wanted = self._wanted()
        upserts, deletes = [], []
        # An option's weights belong to the option: the document's list replaces them.
        options = {key for key, _, _ in wanted["options"]}
        for kind in WRITE_ORDER:
            existing = self.existing[kind]
            for key, item, position in wanted[kind]:
                obj = existing.get(key)
                if obj is None and key in self.drafts.get(kind, ()):
                    self.problem(
                        f"{kind} {'/'.join(key)}",
                        "exists as an unpublished draft in the admin: publish or delete that draft first.",
                    )
                    continue
                if obj is None:
                    upserts.append(_Change(kind, key, "create", item=item, position=position))
                elif self._differs(kind, obj, item, position):
                    upserts.append(_Change(kind, key, "update", obj, item, position))
                else:
                    upserts.append(_Change(kind, key, "same", obj))
            listed = {key for key, _, _ in wanted[kind]}
            for key, obj in existing.items():
                if key in listed:
                    continue
                replaced = kind == "option weights" and key[:2] in options
                action = "keep" if self.keep_missing and not replaced else "delete"
                deletes.append(_Change(kind, key, action, obj))
        # Children go before their parents, and scenarios before the frameworks they protect.
        deletes.sort(key=lambda change: WRITE_ORDER[::-1].index(change.kind))
        return upserts + deletes

    def _seed_diff(self, loaded: set[str], kinds: tuple[str, ...]) -> list[_Change]:
        present = {
            kind: set(existing) | self.drafts.get(kind, set()) for kind, existing in self.existing.items()
        }
        next_order = {
            kind: max((obj.sort_order or 0 for obj in self.existing[kind].values()), default=0) + 1
            for kind in ("frameworks", "aspects", "scenarios", "questions")
        }
        needs = {
            "scenarios": lambda key, item: (("frameworks", (item["framework"],)),),
            "ratings": lambda key, item: (("frameworks", key[:1]), ("aspects", key[1:])),
            "release_lines": lambda key, item: (("frameworks", key[:1]),),
            "options": lambda key, item: (("questions", key[:1]),),
            "option weights": lambda key, item: (("aspects", key[2:]),),
        }
        wanted, created_options, changes = self._wanted(), set(), []
        for kind in WRITE_ORDER:
            if kind not in kinds:
                continue
            for key, item, position in wanted[kind]:
                missing = any(ref not in present[of] for of, ref in needs.get(kind, lambda *_: ())(key, item))
                if kind == "option weights":
                    # Weights come with their option, never on their own.
                    if key[:2] in created_options and not missing:
                        changes.append(_Change(kind, key, "create", item=item))
                    continue
                name = seed_key(kind, key)
                if name in loaded:
                    changes.append(_Change(kind, key, "skip"))
                elif key in self.existing[kind]:
                    changes.append(_Change(kind, key, "skip", self.existing[kind][key]))
                    self.recorded.append(name)
                elif not missing:
                    if kind in next_order:
                        position, next_order[kind] = next_order[kind], next_order[kind] + 1
                    changes.append(_Change(kind, key, "create", item=item, position=position))
                    present[kind].add(key)
                    created_options.update([key] if kind == "options" else [])
                    self.recorded.append(name)
        return changes

    def _source(self, item) -> tuple[int | None, str]:
        """The rating's source page id and anchor; an anchor without its page is dropped (seed runs)."""
        page_id = self.pages.get(item["source_page"] or "")
        return page_id, item["source_anchor"] if page_id or self.seed is None else ""

    def _differs(self, kind, obj, item, position) -> bool:
        if kind == "option weights":
            return obj.weight != item["weight"]
        if position is not None and obj.sort_order != position:
            return True
        if any(getattr(obj, name) != item[name] for name in PLAIN[kind]):
            return True
        if kind == "scenarios":
            alternatives = {f.slug for f in obj.alternatives.all()}
            return obj.framework.slug != item["framework"] or alternatives != set(item["alternatives"])
        if kind == "ratings":
            return obj.source_page_id != self._source(item)[0]
        if kind == "options":
            return {s.slug for s in obj.scenarios.all()} != set(item["scenarios"])
        return False

    def _check_kept(self) -> None:
        """With keep_missing, kept ratings and weights must still fit aspects whose kind changes."""
        for change in self.changes:
            if change.action != "keep" or change.kind not in ("ratings", "option weights"):
                continue
            aspect = self.aspects.get(change.key[-1])
            if aspect is None or aspect.kind == change.obj.aspect.kind:
                continue
            probe = (
                Rating(aspect=aspect, score=change.obj.score, label=change.obj.label)
                if change.kind == "ratings"
                else OptionWeight(aspect=aspect, weight=change.obj.weight)
            )
            try:
                probe.clean()
            except ValidationError as error:
                index = [a["slug"] for a in self.doc["aspects"]].index(aspect.slug)
                what = "rating" if change.kind == "ratings" else "option weight"
                self.problem(
                    f"aspects[{index}].kind",
                    f"the {what} {'/'.join(change.key)} is not in the document and would be kept "
                    f"(--keep-missing), but no longer fits: {' '.join(error.messages)}",
                )

    def report(self, *, dry_run: bool) -> ImportReport:
        report = ImportReport(dry_run=dry_run)
        counters = {
            "create": report.created,
            "update": report.updated,
            "delete": report.deleted,
            "keep": report.kept,
            "same": report.unchanged,
            "skip": report.skipped,
        }
        for change in self.changes:
            counters[change.action][change.kind] += 1
            if change.action in ("create", "update", "delete"):
                report.changes.append(change.label)
        report.notes = self._side_effects()
        report.recorded = list(self.recorded)
        return report

    def _side_effects(self) -> list[str]:
        """Guide pages that lose a link: read through reverse relations, so without naming the page model."""
        gone = defaultdict(list)
        for change in self.changes:
            if change.action == "delete" and change.kind in ("frameworks", "aspects"):
                gone[change.kind].append(change.obj.pk)
        if not gone:
            return []
        notes = [
            f'Guide page "{framework.guide_page.title}" loses its link to framework {framework.slug}.'
            for framework in Framework.objects.filter(pk__in=gone["frameworks"], guide_page__isnull=False)
            .select_related("guide_page")
            .order_by("guide_page__path")
        ]
        pages = {
            page.pk: page.title
            for aspect in Aspect.objects.filter(pk__in=gone["aspects"]).prefetch_related("guide_pages")
            for page in aspect.guide_pages.all()
        }
        notes.extend(
            f'Guide page "{title}" loses related aspects that are deleted.' for title in pages.values()
        )
        return notes

    # -- writing

    def apply(self) -> None:
        saved = {kind: dict(objs) for kind, objs in self.existing.items()}
        edited = {}  # snippet -> log action, so each object gets one history entry per import
        with LogContext():
            for change in self.changes:
                if change.action in ("create", "update"):
                    obj = change.obj or _MODELS[change.kind]()
                    self._assign(change, obj, saved)
                    obj.save()
                    saved[change.kind][change.key] = obj
                    _note_edit(edited, change, obj, saved)
                elif change.action == "delete":
                    _note_edit(edited, change, change.obj, saved)
                    change.obj.delete()
            # Seed content is nobody's edit: only imports leave history entries.
            for obj, action in edited.items() if self.seed is None else ():
                if action != "delete":
                    log(instance=obj, action=f"wagtail.{action}", content_changed=True)

    def _assign(self, change, obj, saved) -> None:
        kind, key, item = change.kind, change.key, change.item
        if kind == "option weights":
            obj.option = saved["options"][key[:2]]
            obj.aspect = saved["aspects"][key[2:]]
            obj.weight = item["weight"]
            return
        for name in PLAIN[kind]:
            setattr(obj, name, item[name])
        if change.position is not None:
            obj.sort_order = change.position
        if kind == "ratings":
            obj.framework = saved["frameworks"][key[:1]]
            obj.aspect = saved["aspects"][key[1:]]
            obj.source_page_id, obj.source_anchor = self._source(item)
            return
        if kind == "release_lines":
            obj.framework = saved["frameworks"][key[:1]]
            obj.version = key[1]
            return
        obj.slug = key[-1]
        if kind == "scenarios":
            obj.framework = saved["frameworks"][(item["framework"],)]
            # Written on save() like an option's scenarios; a seed run skips frameworks an editor deleted.
            alternatives = [saved["frameworks"].get((slug,)) for slug in item["alternatives"]]
            obj.alternatives.set([framework for framework in alternatives if framework is not None])
        elif kind == "options":
            obj.question = saved["questions"][key[:1]]
            # modelcluster keeps the set in memory and writes it on save().
            # A seed run skips scenarios an editor deleted; an import has them all in `saved`.
            scenarios = [saved["scenarios"].get((slug,)) for slug in item["scenarios"]]
            obj.scenarios.set([scenario for scenario in scenarios if scenario is not None])


_MODELS = {
    "frameworks": Framework,
    "aspects": Aspect,
    "ratings": Rating,
    "scenarios": Scenario,
    "questions": Question,
    "options": Option,
    "option weights": OptionWeight,
    "release_lines": ReleaseLine,
}


def _note_edit(edited: dict, change: _Change, obj, saved) -> None:
    """Record the history entry an import leaves: on the object, or on the snippet a child belongs to."""
    if change.kind in ("frameworks", "aspects", "scenarios", "questions", "options"):
        if change.action == "delete":
            log(instance=obj, action="wagtail.delete", deleted=True)
            edited[obj] = "delete"
        else:
            edited.setdefault(obj, "create" if change.action == "create" else "edit")
        return
    by_framework = change.kind in ("ratings", "release_lines")
    parent = obj.framework if by_framework else saved["options"].get(change.key[:2])
    if parent is not None:
        edited.setdefault(parent, "edit")


def _values(item: dict, section: str) -> dict:
    return {name: item[name] for name in PLAIN[section]}


def _ref_kind(ref: str) -> str:
    return "path" if ref.startswith("/") else "slug"


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
