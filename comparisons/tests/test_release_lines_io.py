"""Release lines and packages in the matrix document: export, import, checks."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from comparisons.models import Framework, ReleaseLine

pytestmark = pytest.mark.django_db


def exported() -> dict:
    out = io.StringIO()
    call_command("export_matrix", stdout=out)
    return json.loads(out.getvalue())


def import_document(tmp_path, document) -> str:
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    call_command("import_matrix", str(path), stdout=out)
    return out.getvalue()


def lines_state():
    return sorted(
        ReleaseLine.objects.values_list("framework__slug", "version", "lts", "end_of_support", "source")
    )


def test_export_lists_release_lines_and_packages(seeded):
    document = exported()
    assert {f["slug"]: f["package"] for f in document["frameworks"]}["django"] == "django"
    lts = next(
        line
        for line in document["release_lines"]
        if (line["framework"], line["version"]) == ("django", "5.2")
    )
    assert lts == {
        "framework": "django",
        "version": "5.2",
        "lts": True,
        "released_on": "2025-04-02",
        "end_of_support": "2028-04-30",
        "source": "https://www.djangoproject.com/download/#supported-versions",
    }


def test_import_updates_creates_and_deletes_release_lines(seeded, tmp_path):
    document = exported()
    flask = next(line for line in document["release_lines"] if line["framework"] == "flask")
    flask["end_of_support"] = "2027-12-31"
    document["release_lines"].append(
        {
            "framework": "quart",
            "version": "0.24",
            "lts": False,
            "released_on": None,
            "end_of_support": None,
            "source": "https://example.com/quart/changes/",
        }
    )
    document["release_lines"] = [
        line
        for line in document["release_lines"]
        if (line["framework"], line["version"]) != ("django", "4.2")
    ]

    output = import_document(tmp_path, document)

    assert "release_lines: 1 created, 1 updated, 1 deleted" in output
    assert ReleaseLine.objects.get(framework__slug="flask").end_of_support == datetime.date(2027, 12, 31)
    assert ReleaseLine.objects.filter(framework__slug="quart", version="0.24").exists()
    assert not ReleaseLine.objects.filter(framework__slug="django", version="4.2").exists()
    assert [line["version"] for line in exported()["release_lines"] if line["framework"] == "django"] == [
        "6.1",
        "6.0",
        "5.2",
    ]


def test_a_document_without_release_lines_leaves_them_alone(seeded, tmp_path):
    before = lines_state()
    document = exported()
    del document["release_lines"]
    output = import_document(tmp_path, document)
    assert "release_lines" not in output
    assert lines_state() == before


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda line: line.update(end_of_support="April 2028"),
            r"release_lines\[\d+\]\.end_of_support: expected a date",
        ),
        (
            lambda line: line.update(framework="rails"),
            r'release_lines\[\d+\]\.framework: unknown framework "rails"',
        ),
        (lambda line: line.update(source="not a url"), r"release_lines\[\d+\]\.source: Enter a valid URL"),
        (
            lambda line: line.update(released_on="2029-01-01"),
            r"release_lines\[\d+\]\.end_of_support: Support cannot end",
        ),
        (lambda line: line.update(lts="yes"), r"release_lines\[\d+\]\.lts: expected boolean"),
    ],
)
def test_a_bad_release_line_is_refused_with_its_path_and_nothing_changes(seeded, tmp_path, change, problem):
    before = lines_state()
    document = exported()
    change(next(line for line in document["release_lines"] if line["version"] == "5.2"))
    with pytest.raises(CommandError, match=problem):
        import_document(tmp_path, document)
    assert lines_state() == before


def test_a_package_that_is_not_a_distribution_name_is_refused(seeded, tmp_path):
    document = exported()
    document["frameworks"][0]["package"] = "flask; rm -rf /"
    with pytest.raises(CommandError, match=r"frameworks\[0\]\.package: Write the package"):
        import_document(tmp_path, document)
    assert Framework.objects.get(slug=document["frameworks"][0]["slug"]).package != "flask; rm -rf /"


def test_a_duplicate_release_line_is_refused(seeded, tmp_path):
    document = exported()
    document["release_lines"].append(dict(document["release_lines"][0]))
    with pytest.raises(CommandError, match=r'duplicate release line "flask/3.1"'):
        import_document(tmp_path, document)
