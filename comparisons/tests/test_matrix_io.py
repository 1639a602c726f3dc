import copy
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry, Page

from comparisons.engine import recommend, result_to_dict, validate_input
from comparisons.matrix_io import matrix_export
from comparisons.models import (
    Aspect,
    Framework,
    Option,
    OptionWeight,
    Question,
    Rating,
    Scenario,
)
from comparisons.snapshot import get_snapshot
from comparisons.tests.factories import AspectFactory, FrameworkFactory, RatingFactory, ScenarioFactory
from core.content_version import content_version
from core.models import ContentVersion
from decisions.models import Decision, DecisionSnapshot
from decisions.services import drift_for
from decisions.tests.factories import DecisionFactory
from portal.models import GuidePage
from portal.seeding import MATRIX_FILE, load_json

pytestmark = pytest.mark.django_db

ANSWERS = {"project": "api", "needs": ["api_docs", "validation"], "io": "heavy", "team": "typed"}

STORED = (
    Framework,
    Aspect,
    Rating,
    Scenario,
    Question,
    Option,
    OptionWeight,
    Option.scenarios.through,
    ContentVersion,
    ModelLogEntry,
    Decision,
    DecisionSnapshot,
)


def database_state() -> tuple[dict, str]:
    """Row counts and a hash of every row the import could touch."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in STORED}
    digest = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    return {name: len(values) for name, values in rows.items()}, digest


def export_text(**options) -> str:
    out = io.StringIO()
    call_command("export_matrix", stdout=out, **options)
    return out.getvalue()


def import_document(tmp_path, document, *args) -> str:
    path = tmp_path / "matrix.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    call_command("import_matrix", str(path), *args, stdout=out)
    return out.getvalue()


def recommendation() -> dict:
    snapshot = get_snapshot()
    answers, weights = validate_input(snapshot, ANSWERS, {})
    return result_to_dict(recommend(snapshot, answers, weights))


def rating_index(document, framework, aspect) -> int:
    return next(
        index
        for index, rating in enumerate(document["ratings"])
        if (rating["framework"], rating["aspect"]) == (framework, aspect)
    )


def wipe_matrix():
    for model in (OptionWeight, Option, Question, Rating, Scenario, Framework, Aspect):
        model.objects.all().delete()


def test_export_of_seeded_site_is_the_seed_file_with_a_header(seeded):
    document = json.loads(export_text())
    seed = load_json(MATRIX_FILE)
    assert (document.pop("format"), document.pop("version")) == ("stackfit-matrix", 1)
    assert document == seed


def test_two_exports_are_byte_identical_and_indent_is_honoured(seeded):
    assert export_text() == export_text()
    compact = export_text(indent=0)
    assert compact != export_text() and json.loads(compact) == json.loads(export_text())
    assert export_text().startswith('{\n  "format": "stackfit-matrix",\n  "version": 1,')


def test_export_writes_a_file_with_output(seeded, tmp_path):
    target = tmp_path / "backup.json"
    call_command("export_matrix", output=str(target), stdout=io.StringIO(), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == export_text()
    assert [p.name for p in tmp_path.iterdir()] == ["backup.json"]


def test_export_to_a_missing_directory_is_a_command_error(seeded, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_matrix", output=str(tmp_path / "nope" / "x.json"), stdout=io.StringIO())


def test_round_trip_after_mutations_restores_matrix_and_recommendation(seeded, tmp_path):
    exported = export_text()
    before = recommendation()

    Rating.objects.filter(framework__slug="flask", aspect__slug="performance").update(score=0, label="Slow")
    Scenario.objects.get(slug="saas").delete()
    Framework.objects.filter(slug="django").update(sort_order=99, name="Djangoish")
    OptionWeight.objects.filter(option__slug="api").delete()
    question = Question.objects.get(slug="io")
    question.options.get(slug="light").delete()
    Option.objects.get(question__slug="project", slug="ml").scenarios.clear()
    extra = FrameworkFactory(slug="bottle")
    RatingFactory(framework=extra, aspect=Aspect.objects.get(slug="performance"), score=5)
    ScenarioFactory(framework=extra, slug="edge")
    AspectFactory(slug="hype")
    assert export_text() != exported and recommendation() != before

    output = import_document(tmp_path, exported)

    assert export_text() == exported
    assert recommendation() == before
    assert "delete framework bottle" not in output  # listed only with --dry-run or -v 2
    assert "frameworks: 1 updated, 1 deleted, 4 unchanged" in output


def test_round_trip_into_an_empty_matrix_gives_the_same_export_and_ranking(seeded, tmp_path):
    exported = export_text()
    before = recommendation()
    wipe_matrix()
    assert Framework.objects.count() == 0

    import_document(tmp_path, exported)

    assert export_text() == exported
    after = recommendation()
    # Deleting frameworks unlinked their guide pages (GuidePage.framework is SET_NULL),
    # and the document does not carry page links, so only the guide URLs differ.
    for ranked in (*before["ranking"], *after["ranking"]):
        ranked.pop("guide_url")
    assert after == before


def test_reimporting_the_same_document_changes_nothing(seeded, tmp_path):
    exported = export_text()
    import_document(tmp_path, exported)
    state, version = database_state(), content_version()

    output = import_document(tmp_path, exported)

    assert output.startswith("Nothing to change")
    assert "frameworks: 5 unchanged" in output
    assert database_state() == state
    assert content_version() == version


def test_import_bumps_content_version_and_the_snapshot_sees_the_new_rating(seeded, tmp_path):
    document = json.loads(export_text())
    document["ratings"][rating_index(document, "flask", "performance")].update(score=1, label="Slowish")
    old_version = content_version()
    assert get_snapshot().frameworks[0].ratings["performance"].score != 1

    import_document(tmp_path, document)

    assert content_version() != old_version
    flask = next(f for f in get_snapshot().frameworks if f.slug == "flask")
    assert (flask.ratings["performance"].score, flask.ratings["performance"].label) == (1, "Slowish")


def test_import_creates_new_items_in_document_order(seeded, tmp_path):
    document = json.loads(export_text())
    document["frameworks"].insert(
        1, {"slug": "bottle", "name": "Bottle", "kind": "API", "summary": "Fast.", "colour": "#6b21a8"}
    )
    document["ratings"].append(
        {"framework": "bottle", "aspect": "performance", "score": 5, "label": "Very fast"}
    )
    document["questions"][0]["options"].append(
        {"slug": "edge", "label": "Edge functions", "weights": {"performance": 3}, "scenarios": ["spa-api"]}
    )

    output = import_document(tmp_path, document)

    assert "frameworks: 1 created, 4 updated, 1 unchanged" in output  # four moved down
    assert list(Framework.objects.values_list("slug", flat=True)) == [
        "flask",
        "bottle",
        "django",
        "fastapi",
        "quart",
        "litestar",
    ]
    rating = Rating.objects.get(framework__slug="bottle")
    assert (rating.score, rating.note, rating.source_page) == (5, "", None)
    option = Option.objects.get(question__slug="project", slug="edge")
    assert [s.slug for s in option.scenarios.all()] == ["spa-api"]
    assert {w.aspect.slug: w.weight for w in option.weights.all()} == {"performance": 3}
    assert json.loads(export_text())["frameworks"][1]["slug"] == "bottle"


def test_import_leaves_history_entries_on_the_changed_snippets(seeded, tmp_path):
    document = json.loads(export_text())
    document["ratings"][rating_index(document, "django", "async")]["label"] = "Improving"
    document["scenarios"] = [s for s in document["scenarios"] if s["slug"] != "saas"]
    for question in document["questions"]:
        for option in question["options"]:
            option["scenarios"] = [slug for slug in option["scenarios"] if slug != "saas"]
    django = Framework.objects.get(slug="django")
    saas_pk = str(Scenario.objects.get(slug="saas").pk)

    import_document(tmp_path, document)

    assert [e.action for e in ModelLogEntry.objects.for_instance(django)] == ["wagtail.edit"]
    assert ModelLogEntry.objects.filter(
        object_id=saas_pk, content_type__model="scenario", action="wagtail.delete"
    ).exists()
    assert not ModelLogEntry.objects.for_instance(Framework.objects.get(slug="flask")).exists()


def _set(path_value):
    """A mutation that sets document[a][b]... = value."""
    *path, value = path_value

    def mutate(document):
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(*path):
    def mutate(document):
        target = document
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


def _orm_rating_score_three(document):
    document["ratings"][rating_index(document, "flask", "orm")]["score"] = 3


def _duplicate_framework(document):
    document["frameworks"].append(dict(document["frameworks"][0], name="Flask again"))


BAD_DOCUMENTS = {
    "wrong format": (_set(("format", "django-fixture")), ['format: expected "stackfit-matrix"']),
    "wrong version": (_set(("version", 2)), ["version: this site reads version 1, found 2"]),
    "unknown aspect": (
        _set(("ratings", 0, "aspect", "speed")),
        ['ratings[0].aspect: unknown aspect "speed"'],
    ),
    "score 7": (
        _set(("ratings", 5, "score", 7)),
        ["ratings[5].score: Ensure this value is less than or equal to 5."],
    ),
    "duplicate slug": (
        _duplicate_framework,
        ['frameworks[5].slug: duplicate slug "flask", also at frameworks[0]'],
    ),
    "yes/no aspect scored 3": (_orm_rating_score_three, ["ratings[20].score: “Built-in ORM” is yes/no"]),
    "missing key": (_delete("frameworks", 1, "summary"), ["frameworks[1].summary: required key is missing"]),
    "missing section": (_delete("questions"), ["questions: required key is missing"]),
    "unknown key": (_set(("aspects", 2, "colour", "red")), ["aspects[2].colour: unknown key"]),
    "wrong type": (
        _set(("aspects", 1, "in_overview", "yes")),
        ["aspects[1].in_overview: expected boolean, got string"],
    ),
    "option to unknown scenario": (
        _set(("questions", 0, "options", 0, "scenarios", ["saas", "moonbase"])),
        ['questions[0].options[0].scenarios[1]: unknown scenario "moonbase"'],
    ),
    "weight out of range": (
        _set(("questions", 1, "options", 0, "weights", {"admin": 9})),
        ["questions[1].options[0].weights.admin: Ensure this value is less than or equal to 3."],
    ),
    "weight on a text aspect": (
        _set(("questions", 1, "options", 0, "weights", {"type": 1})),
        ["questions[1].options[0].weights.type: Text aspects have no score to weigh"],
    ),
    "invalid slug": (_set(("aspects", 0, "slug", "Not a slug")), ["aspects[0].slug: Enter a valid “slug”"]),
    "name too long": (
        _set(("frameworks", 0, "name", "F" * 81)),
        ["frameworks[0].name: Ensure this value has at most 80 characters (it has 81)."],
    ),
    "unknown choice": (
        _set(("questions", 2, "kind", "ranked")),
        ["questions[2].kind: Value 'ranked' is not a valid"],
    ),
    "unknown source page": (
        _set(("ratings", 0, "source_page", "nowhere")),
        ['no page has the slug "nowhere"'],
    ),
    "not an object": (_set(("ratings", 5, ["flask", "orm"])), ["ratings[5]: expected an object, got array"]),
    "colour too faint": (
        _set(("frameworks", 2, "colour", "#009688")),
        ["frameworks[2].colour: #009688 has a"],
    ),
    "colour missing": (_delete("frameworks", 0, "colour"), ["frameworks[0].colour: required key is missing"]),
    "unknown alternative": (
        _set(("scenarios", 0, "alternatives", ["flask", "moonbase"])),
        ['scenarios[0].alternatives[1]: unknown framework "moonbase"'],
    ),
    "alternative is the recommendation": (
        _set(("scenarios", 0, "alternatives", ["django"])),
        ['scenarios[0].alternatives[0]: "django" is already the recommended framework'],
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS, ids=list(BAD_DOCUMENTS))
def test_bad_document_names_the_problem_and_changes_nothing(seeded, tmp_path, case):
    mutate, expected = BAD_DOCUMENTS[case]
    document = json.loads(export_text())
    # A valid change beside the bad one: it must not be written either.
    document["ratings"][rating_index(document, "django", "async")]["label"] = "Changed"
    mutate(document)
    state, version = database_state(), content_version()

    with pytest.raises(CommandError) as error:
        import_document(tmp_path, document)

    message = str(error.value)
    assert "not imported, nothing was changed" in message
    for fragment in expected:
        assert fragment in message
    assert database_state() == state
    assert content_version() == version


def test_json_syntax_error_gives_line_and_column(seeded, tmp_path):
    text = export_text().replace('"name": "Flask",', '"name": "Flask"', 1)
    line = text[: text.index('"name": "Flask"')].count("\n") + 2
    state = database_state()

    with pytest.raises(
        CommandError, match=rf"line {line}, column \d+: invalid JSON: Expecting ',' delimiter"
    ):
        import_document(tmp_path, text)
    assert database_state() == state


def test_duplicate_json_key_is_reported(seeded, tmp_path):
    text = export_text().replace('"name": "Flask",', '"name": "Flask", "name": "Flask 2",', 1)
    with pytest.raises(CommandError, match=r"frameworks\[0\]\.name: key appears twice"):
        import_document(tmp_path, text)


def test_every_problem_is_reported_at_once(seeded, tmp_path):
    document = json.loads(export_text())
    document["ratings"][5]["score"] = 7
    del document["frameworks"][1]["summary"]
    document["scenarios"][0]["framework"] = "rails"
    with pytest.raises(CommandError) as error:
        import_document(tmp_path, document)
    message = str(error.value)
    assert "(3 problems)" in message
    assert "ratings[5].score" in message and "frameworks[1].summary" in message
    assert 'scenarios[0].framework: unknown framework "rails"' in message


def test_missing_file_and_non_utf8_file_are_command_errors(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_matrix", str(tmp_path / "absent.json"))
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"format": "stackfit-matrix", "x": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_matrix", str(latin))


def test_dry_run_lists_changes_and_writes_nothing(seeded, tmp_path):
    document = json.loads(export_text())
    document["ratings"][rating_index(document, "fastapi", "jobs")]["score"] = 2
    document["scenarios"] = [s for s in document["scenarios"] if s["slug"] != "teaching"]
    for question in document["questions"]:
        for option in question["options"]:
            option["scenarios"] = [slug for slug in option["scenarios"] if slug != "teaching"]
    state, version = database_state(), content_version()

    output = import_document(tmp_path, document, "--dry-run")

    assert output.startswith("Dry run")
    assert "update rating fastapi/jobs" in output
    assert "delete scenario teaching" in output
    assert database_state() == state
    assert content_version() == version


def test_missing_items_are_deleted_unless_keep_missing(seeded, tmp_path):
    document = json.loads(export_text())
    document["frameworks"] = [f for f in document["frameworks"] if f["slug"] != "fastapi"]
    document["ratings"] = [r for r in document["ratings"] if r["framework"] != "fastapi"]
    document["scenarios"] = [s for s in document["scenarios"] if s["framework"] != "fastapi"]
    document["release_lines"] = [line for line in document["release_lines"] if line["framework"] != "fastapi"]
    kept = {s["slug"] for s in document["scenarios"]}
    for question in document["questions"]:
        for option in question["options"]:
            option["scenarios"] = [slug for slug in option["scenarios"] if slug in kept]

    output = import_document(tmp_path, document, "--keep-missing")
    assert Framework.objects.filter(slug="fastapi").exists()
    assert Rating.objects.filter(framework__slug="fastapi").count() == 14
    assert "frameworks: 2 updated, 1 kept (not in the document), 2 unchanged" in output

    output = import_document(tmp_path, document)
    assert not Framework.objects.filter(slug="fastapi").exists()
    assert not Rating.objects.filter(framework__slug="fastapi").exists()
    assert not Scenario.objects.filter(framework__slug="fastapi").exists()
    assert (
        'Guide page "FastAPI: the async-first API specialist" loses its link to framework fastapi.' in output
    )
    assert GuidePage.objects.get(slug="fastapi").framework is None


def test_keep_missing_refuses_an_aspect_kind_that_kept_ratings_no_longer_fit(seeded, tmp_path):
    document = json.loads(export_text())
    assert document["aspects"][4]["slug"] == "orm"
    document["aspects"][4]["kind"] = "text"
    document["ratings"] = [r for r in document["ratings"] if r["aspect"] != "orm"]
    for question in document["questions"]:
        for option in question["options"]:
            option["weights"].pop("orm", None)
    state = database_state()

    with pytest.raises(
        CommandError, match=r"aspects\[4\]\.kind: the rating flask/orm is not in the document"
    ):
        import_document(tmp_path, document, "--keep-missing")
    assert database_state() == state


def test_option_weights_are_replaced_even_with_keep_missing(seeded, tmp_path):
    document = json.loads(export_text())
    document["questions"][0]["options"][0]["weights"] = {"admin": 1}

    import_document(tmp_path, document, "--keep-missing")

    option = Option.objects.get(question__slug="project", slug=document["questions"][0]["options"][0]["slug"])
    assert {w.aspect.slug: w.weight for w in option.weights.all()} == {"admin": 1}


def test_saved_decisions_survive_an_import_and_show_drift(seeded, tmp_path):
    decision = DecisionFactory(answers={"project": ["saas"], "needs": ["admin"]})
    stored = decision.latest_snapshot.result
    document = json.loads(export_text())
    for rating in document["ratings"]:
        if rating["aspect"] == "admin":
            rating["score"] = 0 if rating["framework"] == "django" else 5
    document["scenarios"] = [s for s in document["scenarios"] if s["slug"] != "saas"]
    for question in document["questions"]:
        for option in question["options"]:
            option["scenarios"] = [slug for slug in option["scenarios"] if slug != "saas"]

    import_document(tmp_path, document)

    decision = Decision.objects.with_snapshots().get(pk=decision.pk)
    assert decision.latest_snapshot.result == stored
    assert decision.answers == {"project": ["saas"], "needs": ["admin"]}
    drift = drift_for([decision])[decision.pk]
    assert drift.changes and drift.score_after != drift.score_before


def test_source_page_is_written_as_slug_and_resolved_back(seeded, tmp_path):
    document = json.loads(export_text())
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="performance")
    index = rating_index(document, "flask", "performance")
    assert document["ratings"][index]["source_page"] == rating.source_page.slug
    document["ratings"][index]["source_page"] = rating.source_page.url_path
    assert rating.source_page.url_path.startswith("/")

    output = import_document(tmp_path, document)

    assert output.startswith("Nothing to change")
    rating.refresh_from_db()
    assert rating.source_page.url_path == document["ratings"][index]["source_page"]


def test_seed_file_with_a_header_imports_into_an_empty_database(empty_content, tmp_path):
    seed = load_json(MATRIX_FILE)
    for rating in seed["ratings"]:
        # No guide pages exist here, so the ratings cannot point at them.
        rating.update(source_page="", source_anchor="")
    document = {"format": "stackfit-matrix", "version": 1, **copy.deepcopy(seed)}

    output = import_document(tmp_path, document)

    assert "ratings: 70 created" in output
    assert Option.objects.count() == sum(len(q["options"]) for q in seed["questions"])
    exported = matrix_export()
    assert exported["questions"] == seed["questions"]


def test_a_shared_page_slug_is_exported_as_the_path_and_refused_as_a_slug(seeded, tmp_path):
    rating = Rating.objects.select_related("source_page").get(
        framework__slug="flask", aspect__slug="performance"
    )
    slug = rating.source_page.slug
    faq = Page.objects.get(slug="faq")
    faq.add_child(instance=Page(title="Performance FAQ", slug=slug))
    index = rating_index(json.loads(export_text()), "flask", "performance")

    document = json.loads(export_text())
    assert document["ratings"][index]["source_page"] == rating.source_page.url_path
    assert import_document(tmp_path, document).startswith("Nothing to change")

    document["ratings"][index]["source_page"] = slug
    with pytest.raises(
        CommandError, match=rf'ratings\[{index}\]\.source_page: 2 pages have the slug "{slug}"'
    ):
        import_document(tmp_path, document)


def test_colour_tagline_and_alternatives_round_trip(seeded, tmp_path):
    document = json.loads(export_text())
    document["frameworks"][0].update(colour="#1e3a8a", tagline="Small core, your choices")
    (saas,) = [s for s in document["scenarios"] if s["slug"] == "saas"]
    saas["alternatives"] = ["fastapi", "flask"]

    import_document(tmp_path, document)

    first = Framework.objects.first()
    assert (first.colour, first.tagline) == ("#1e3a8a", "Small core, your choices")
    assert {f.slug for f in Scenario.objects.get(slug="saas").alternatives.all()} == {"fastapi", "flask"}
    (info,) = [s for s in get_snapshot().scenarios if s.slug == "saas"]
    assert set(info.alternatives) == {"fastapi", "flask"}
    exported = json.loads(export_text())
    assert [s for s in exported["scenarios"] if s["slug"] == "saas"][0]["alternatives"] == [
        "flask",
        "fastapi",
    ]
    # The document lists alternatives in any order; only a different set is a change.
    saas["alternatives"] = ["flask", "fastapi"]
    version = content_version()
    assert import_document(tmp_path, document).startswith("Nothing to change")
    assert content_version() == version
