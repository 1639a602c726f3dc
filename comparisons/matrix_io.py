"""The matrix and the chooser as one JSON document: export, check and import.

The document is the seed format (comparisons/seed/matrix.json) with a header,
so an export can also serve as a seed file. `matrix_import` checks the whole
document before its first write, then makes the database match it inside one
transaction, matching items by slug. docs/architecture.md ("Content export and
import") describes the format and the rules.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from wagtail.log_actions import LogContext, log
from wagtail.models import Page

from comparisons.models import Aspect, Framework, Option, OptionWeight, Question, Rating, Scenario
from core.content_version import bump_content_version

FORMAT = "stackfit-matrix"
VERSION = 1
SECTIONS = ("frameworks", "aspects", "ratings", "scenarios", "questions")
KINDS = (*SECTIONS, "options", "option weights")
# Referenced items are written before the items that refer to them.
WRITE_ORDER = ("aspects", "frameworks", "scenarios", "ratings", "questions", "options", "option weights")
SINGULAR = {
    "frameworks": "framework",
    "aspects": "aspect",
    "ratings": "rating",
    "scenarios": "scenario",
    "questions": "question",
    "options": "option",
    "option weights": "weight",
}

REQUIRED = object()

# Each item's keys: the JSON types it accepts and its default (REQUIRED when it has none).
# The required keys are the ones load_initial_data reads without a default, so
# whatever imports can also be loaded as a seed file.
FIELDS = {
    "frameworks": {
        "slug": (("string",), REQUIRED),
        "name": (("string",), REQUIRED),
        "kind": (("string",), REQUIRED),
        "summary": (("string",), REQUIRED),
        "website": (("string",), ""),
        "docs_url": (("string",), ""),
    },
    "aspects": {
        "slug": (("string",), REQUIRED),
        "name": (("string",), REQUIRED),
        "kind": (("string",), REQUIRED),
        "description": (("string",), REQUIRED),
        "in_overview": (("boolean",), False),
    },
    "ratings": {
        "framework": (("string",), REQUIRED),
        "aspect": (("string",), REQUIRED),
        "score": (("integer", "null"), REQUIRED),
        "label": (("string",), REQUIRED),
        "note": (("string",), ""),
        "source_page": (("string", "null"), ""),
        "source_anchor": (("string",), ""),
    },
    "scenarios": {
        "slug": (("string",), REQUIRED),
        "situation": (("string",), REQUIRED),
        "framework": (("string",), REQUIRED),
        "companion": (("string",), ""),
        "rationale": (("string",), REQUIRED),
        "in_cheat_sheet": (("boolean",), False),
    },
    "questions": {
        "slug": (("string",), REQUIRED),
        "prompt": (("string",), REQUIRED),
        "help_text": (("string",), ""),
        "kind": (("string",), REQUIRED),
        "options": (("array",), REQUIRED),
    },
    "options": {
        "slug": (("string",), REQUIRED),
        "label": (("string",), REQUIRED),
        "description": (("string",), ""),
        "weights": (("object",), {}),
        "scenarios": (("array",), []),
    },
}

# Model fields copied as they are; the rest are references, handled one by one.
PLAIN = {
    "frameworks": ("name", "kind", "summary", "website", "docs_url"),
    "aspects": ("name", "kind", "description", "in_overview"),
    "ratings": ("score", "label", "note", "source_anchor"),
    "scenarios": ("situation", "companion", "rationale", "in_cheat_sheet"),
    "questions": ("prompt", "help_text", "kind"),
    "options": ("label", "description"),
}


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
        Rating.objects.select_related("framework", "aspect").order_by(
            "aspect__sort_order", "aspect__pk", "framework__sort_order", "framework__pk"
        )
    )
    pages = _page_references({r.source_page_id for r in ratings if r.source_page_id})
    return {
        "format": FORMAT,
        "version": VERSION,
        "frameworks": [_plain(f, "frameworks") for f in Framework.objects.all()],
        "aspects": [_plain(a, "aspects") for a in Aspect.objects.all()],
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
                "rationale": s.rationale,
                "in_cheat_sheet": s.in_cheat_sheet,
            }
            for s in Scenario.objects.with_framework()
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
            for q in Question.objects.with_options()
        ],
    }


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
    changes: list[str] = field(default_factory=list)
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


@dataclass
class _Change:
    kind: str
    key: tuple
    action: str  # "create", "update", "delete", "keep" (--keep-missing) or "same"
    obj: object = None
    item: dict | None = None
    position: int | None = None

    @property
    def label(self) -> str:
        return f"{self.action} {SINGULAR[self.kind]} {'/'.join(self.key)}"


class _Plan:
    """A checked document and the changes that would make the database match it."""

    def __init__(self, document, *, keep_missing: bool):
        self.keep_missing = keep_missing
        self.problems: list[str] = []
        doc = self._check_structure(document)
        if doc is not None:
            self.pages = self._resolve_pages(doc)
            self._check_model_rules(doc)
        if self.problems:
            raise MatrixDocumentError(self.problems)
        self.doc = doc
        self._read_database()
        self.changes = self._diff()
        if keep_missing:
            self._check_kept()
        if self.problems:
            raise MatrixDocumentError(self.problems)

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
        self._check_keys("document", document, {"format", "version", *SECTIONS}, prefix="")
        doc = {}
        for section in SECTIONS:
            if section not in document:
                self.problem(section, "required key is missing")
            elif not isinstance(document[section], list):
                self.problem(section, f"expected an array, got {_json_type(document[section])}")
            else:
                doc[section] = [
                    self._item(f"{section}[{index}]", raw, section)
                    for index, raw in enumerate(document[section])
                ]
        if len(doc) != len(SECTIONS):
            return None
        self._check_duplicates(doc)
        self._check_references(doc, document)
        return doc

    def _check_keys(self, path, obj, allowed, prefix=None) -> None:
        prefix = f"{path}." if prefix is None else prefix
        for key in getattr(obj, "duplicates", ()):
            self.problem(f"{prefix}{key}", "key appears twice in the same object")
        for key in obj:
            if key not in allowed:
                self.problem(f"{prefix}{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def _item(self, path: str, raw, section: str) -> dict | None:
        """The item with its defaults filled in, or None (with problems recorded) if it is malformed."""
        if not isinstance(raw, dict):
            self.problem(path, f"expected an object, got {_json_type(raw)}")
            return None
        spec = FIELDS[section]
        before = len(self.problems)
        self._check_keys(path, raw, spec.keys())
        item = {}
        for key, (types, default) in spec.items():
            if key not in raw:
                if default is REQUIRED:
                    self.problem(f"{path}.{key}", "required key is missing")
                item[key] = default
            elif _json_type(raw[key]) not in types:
                expected = " or ".join(types)
                self.problem(f"{path}.{key}", f"expected {expected}, got {_json_type(raw[key])}")
            else:
                item[key] = raw[key]
        if section == "questions" and isinstance(item.get("options"), list):
            item["options"] = [
                self._item(f"{path}.options[{index}]", option, "options")
                for index, option in enumerate(item["options"])
            ]
            if None in item["options"]:
                return None
        if section == "options":
            self._check_option_links(path, raw)
        return item if len(self.problems) == before else None

    def _check_option_links(self, path, raw) -> None:
        weights = raw.get("weights")
        if isinstance(weights, dict):
            self._check_keys(f"{path}.weights", weights, weights.keys())
            for aspect, weight in weights.items():
                if _json_type(weight) != "integer":
                    self.problem(f"{path}.weights.{aspect}", f"expected integer, got {_json_type(weight)}")
        scenarios = raw.get("scenarios")
        if isinstance(scenarios, list):
            for index, slug in enumerate(scenarios):
                if not isinstance(slug, str):
                    self.problem(f"{path}.scenarios[{index}]", f"expected string, got {_json_type(slug)}")
                elif slug in scenarios[:index]:
                    self.problem(f"{path}.scenarios[{index}]", f'"{slug}" is listed twice')

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
        for q_index, question in enumerate(doc["questions"]):
            if question is not None:
                unique(
                    question["options"],
                    lambda i: (i["slug"],),
                    lambda n, q=q_index: f"questions[{q}].options[{n}].slug",
                    "option slug",
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
        for index, scenario in enumerate(doc["scenarios"]):
            if scenario:
                check(f"scenarios[{index}].framework", "frameworks", scenario["framework"])
        for q_index, question in enumerate(doc["questions"]):
            for o_index, option in enumerate(question["options"] if question else ()):
                path = f"questions[{q_index}].options[{o_index}]"
                for aspect in option["weights"]:
                    check(f"{path}.weights.{aspect}", "aspects", aspect)
                for s_index, scenario in enumerate(option["scenarios"]):
                    check(f"{path}.scenarios[{s_index}]", "scenarios", scenario)

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
                    source_page_id=self.pages.get(item["source_page"] or ""),
                    **_values(item, "ratings"),
                )
                self._full_clean(rating, f"ratings[{index}]", exclude=["framework", "aspect", "source_page"])
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
        self.existing = {
            "frameworks": {(f.slug,): f for f in Framework.objects.all()},
            "aspects": {(a.slug,): a for a in Aspect.objects.all()},
            "scenarios": {(s.slug,): s for s in Scenario.objects.with_framework()},
            "ratings": {
                (r.framework.slug, r.aspect.slug): r
                for r in Rating.objects.select_related("framework", "aspect")
            },
            "questions": {(q.slug,): q for q in Question.objects.all()},
            "options": {
                (o.question.slug, o.slug): o
                for o in Option.objects.select_related("question").prefetch_related("scenarios")
            },
            "option weights": {
                (w.option.question.slug, w.option.slug, w.aspect.slug): w
                for w in OptionWeight.objects.select_related("option__question", "aspect")
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

    def _differs(self, kind, obj, item, position) -> bool:
        if kind == "option weights":
            return obj.weight != item["weight"]
        if position is not None and obj.sort_order != position:
            return True
        if any(getattr(obj, name) != item[name] for name in PLAIN[kind]):
            return True
        if kind == "scenarios":
            return obj.framework.slug != item["framework"]
        if kind == "ratings":
            return obj.source_page_id != self.pages.get(item["source_page"] or "")
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
        }
        for change in self.changes:
            counters[change.action][change.kind] += 1
            if change.action in ("create", "update", "delete"):
                report.changes.append(change.label)
        report.notes = self._side_effects()
        return report

    def _side_effects(self) -> list[str]:
        from portal.models import GuidePage

        gone = defaultdict(set)
        for change in self.changes:
            if change.action == "delete" and change.kind in ("frameworks", "aspects"):
                gone[change.kind].add(change.obj.pk)
        if not gone:
            return []
        notes = [
            f'Guide page "{page.title}" loses its link to framework {page.framework.slug}.'
            for page in GuidePage.objects.filter(framework__in=gone["frameworks"]).select_related("framework")
        ]
        for page in GuidePage.objects.filter(related_aspects__in=gone["aspects"]).distinct():
            notes.append(f'Guide page "{page.title}" loses related aspects that are deleted.')
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
            for obj, action in edited.items():
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
            obj.source_page_id = self.pages.get(item["source_page"] or "")
            return
        obj.slug = key[-1]
        if kind == "scenarios":
            obj.framework = saved["frameworks"][(item["framework"],)]
        elif kind == "options":
            obj.question = saved["questions"][key[:1]]
            # modelcluster keeps the set in memory and writes it on save().
            obj.scenarios.set([saved["scenarios"][(slug,)] for slug in item["scenarios"]])


_MODELS = {
    "frameworks": Framework,
    "aspects": Aspect,
    "ratings": Rating,
    "scenarios": Scenario,
    "questions": Question,
    "options": Option,
    "option weights": OptionWeight,
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
    parent = obj.framework if change.kind == "ratings" else saved["options"].get(change.key[:2])
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
