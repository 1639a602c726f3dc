"""Nothing assumes the seed's frameworks: colours and taglines are data, and no copy names them."""

import ast
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comparisons.colours import MIN_CONTRAST, contrast_ratio
from comparisons.matrix_io import SEED_FILE
from comparisons.models import Framework, Scenario
from comparisons.snapshot import get_snapshot
from comparisons.tests.factories import FrameworkFactory, ScenarioFactory
from core.content_version import content_version

ROOT = Path(__file__).resolve().parents[2]
SEED_NAMES = [f["name"] for f in json.loads(SEED_FILE.read_text(encoding="utf-8"))["frameworks"]]
COMMENTS = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<!--.*?-->|/\*.*?\*/|(?<![:\"'])//[^\n]*",
    re.DOTALL,
)
# Routes and module paths that carry the library's name but name no framework to readers.
NOT_COPY = re.compile(r"/django-admin/")
# Modules whose string literals become page copy, meta tags or API descriptions.
COPY_MODULES = [
    "comparisons/views.py",
    "decisions/views.py",
    "decisions/madr.py",
    "portal/views.py",
    "portal/site_setup.py",
    "portal/context_processors.py",
    "portal/settings/base.py",
]


def front_end_files():
    for folder, patterns in (("templates", ("*.html", "*.txt")), ("static", ("*.css", "*.js"))):
        for pattern in patterns:
            yield from sorted((ROOT / folder).rglob(pattern))


def named_frameworks(text: str) -> set[str]:
    return {name for name in SEED_NAMES if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE)}


def test_the_seed_names_frameworks_to_look_for():
    assert len(SEED_NAMES) >= 2
    assert named_frameworks("We chose " + SEED_NAMES[0].lower() + ".") == {SEED_NAMES[0]}


def test_no_template_stylesheet_or_script_names_a_framework():
    found = {}
    for path in front_end_files():
        text = NOT_COPY.sub("", COMMENTS.sub("", path.read_text(encoding="utf-8")))
        if names := named_frameworks(text):
            found[str(path.relative_to(ROOT))] = names
    assert not found


def test_no_copy_string_in_python_names_a_framework():
    found = {}
    for module in COPY_MODULES:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Copy is written capitalised; dotted paths such as "django.contrib..." are code.
                names = {n for n in SEED_NAMES if re.search(rf"\b{re.escape(n)}\b(?!\.)", node.value)}
                if names:
                    found[f"{module}:{node.lineno}"] = names
    assert not found


def test_stylesheet_lists_every_framework_colour(client, seeded):
    FrameworkFactory(slug="newcomer", colour="#5b21b6")
    response = client.get(reverse("comparisons:frameworks_css"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    frameworks = list(Framework.objects.all())
    assert len(frameworks) >= 4
    for framework in frameworks:
        assert f".fw-{framework.slug}{{--fw-colour:{framework.colour};--fw-text:{framework.colour}}}" in css


def test_stylesheet_is_linked_from_every_page_and_revalidated_by_etag(client, seeded):
    home = client.get("/").content.decode()
    assert f'href="{reverse("comparisons:frameworks_css")}"' in home
    first = client.get(reverse("comparisons:frameworks_css"))
    etag = first["ETag"]
    assert client.get(reverse("comparisons:frameworks_css"), HTTP_IF_NONE_MATCH=etag).status_code == 304

    framework = Framework.objects.first()
    framework.colour = "#7c2d12"
    framework.save()
    changed = client.get(reverse("comparisons:frameworks_css"), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert f".fw-{framework.slug}{{--fw-colour:#7c2d12;" in changed.content.decode()


def test_stylesheet_leaves_out_a_colour_that_is_not_a_hex_colour(client, seeded):
    FrameworkFactory(slug="broken", colour="red}")
    css = client.get(reverse("comparisons:frameworks_css")).content.decode()
    assert ".fw-broken" not in css
    assert "red}" not in css


def test_seed_colours_pass_aa_against_white_and_the_shaded_panels(seeded):
    for framework in Framework.objects.all():
        framework.full_clean()
        assert contrast_ratio(framework.colour, "#ffffff") >= MIN_CONTRAST
        assert framework.tagline


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("#009688", "3.67:1 against white"),
        ("#ffff00", "1.07:1 against white"),
        ("#abc", "#rrggbb"),
        ("teal", "#rrggbb"),
        ("", "cannot be blank"),
    ],
)
def test_a_faint_or_malformed_colour_is_refused_naming_why(db, colour, message):
    framework = FrameworkFactory.build(colour=colour)
    with pytest.raises(ValidationError) as error:
        framework.full_clean()
    assert message in " ".join(error.value.message_dict["colour"])


def test_a_dark_enough_colour_is_accepted_and_written_in_lower_case(db):
    framework = FrameworkFactory.build(colour="#0C4B33")
    framework.full_clean()
    assert framework.colour == "#0c4b33"


def test_home_page_names_the_frameworks_from_the_matrix(client, seeded):
    FrameworkFactory(name="Newcomer", slug="newcomer", tagline="Small and quick to learn")
    html = client.get("/").content.decode()
    eyebrow = re.search(r'<p class="eyebrow">(.*?)</p>', html).group(1)
    assert eyebrow.split(" · ") == [f.name for f in Framework.objects.all()]
    assert "Small and quick to learn" in html


def test_alternatives_show_on_scenarios_cheat_sheet_and_chooser(client, seeded):
    newcomer = FrameworkFactory(name="Newcomer", slug="newcomer")
    scenario = Scenario.objects.get(slug="async-microservice")
    scenario.alternatives.set([newcomer])
    scenario.save()

    page = client.get("/scenarios/").content.decode()
    row = page[page.index('id="async-microservice"') :]
    row = row[: row.index("</tr>")]
    assert "also a fit:" in row
    assert "Newcomer" in row
    home = client.get("/").content.decode()
    assert "also a fit:" in home[home.index('id="async-microservice"') :]

    result = client.get("/chooser/?project=microservice").content.decode()
    assert "Small async microservice</a> → FastAPI; also a fit: Newcomer" in result


def test_an_alternative_is_part_of_the_content_version_and_the_api(client, seeded):
    other = ScenarioFactory(framework=Framework.objects.first())
    newcomer = FrameworkFactory(slug="newcomer", colour="#5b21b6", tagline="Quick")
    before = content_version()
    other.alternatives.add(newcomer)
    other.save()  # a parental relation is written when its scenario is saved
    assert content_version() != before
    (info,) = [s for s in get_snapshot().scenarios if s.slug == other.slug]
    assert info.alternatives == ("newcomer",)

    scenario = client.get(f"/api/v1/scenarios/{other.slug}/").json()
    assert scenario["alternatives"] == ["newcomer"]
    framework = client.get("/api/v1/frameworks/newcomer/").json()
    assert (framework["colour"], framework["tagline"]) == ("#5b21b6", "Quick")


def test_stylesheet_costs_one_query_when_the_browser_has_it_and_two_from_the_cache(
    client, seeded, django_assert_num_queries
):
    url = reverse("comparisons:frameworks_css")
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_assert_num_queries(2):
        assert client.get(url)["X-Page-Cache"] == "hit"
