"""A Python client generated from /api/schema/ by openapi-python-client drives a live server."""

import importlib
import json
import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from wagtail.models import APIToken

from decisions.tests.factories import UserFactory

PACKAGE = "stackfit_client"

pytestmark = [pytest.mark.api_contract, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def generated_client(seeded, client, tmp_path, monkeypatch):
    """Generate the client from today's schema into tmp_path and make it importable."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = tmp_path / "schema.json"
    schema.write_bytes(response.content)

    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        # The generator formats its output with ruff, which lives beside it in the venv.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # A schema the generator cannot read fully shows up as warnings and skipped endpoints.
    assert "Warning" not in output and "will not be generated" not in output, output

    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    for module in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[module]


def test_generated_client_recommends_then_saves_lists_exports_and_deletes_a_decision(
    generated_client, live_server
):
    load = generated_client
    clients = load("client")
    models = load("models")
    recommend = load("api.recommendations.recommendations_create")
    create = load("api.decisions.decisions_create")
    listing = load("api.decisions.decisions_list")
    export = load("api.decisions.decisions_export_retrieve")
    destroy = load("api.decisions.decisions_destroy")
    retrieve = load("api.decisions.decisions_retrieve")

    anonymous = clients.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    recommendation = recommend.sync(
        client=anonymous,
        body=models.RecommendationInputRequest(
            answers=models.RecommendationInputRequestAnswers(
                project=models.RecommendationInputRequestAnswersProjectType0.CONTENT,
                needs=[models.RecommendationInputRequestAnswersNeedsType1Item.ADMIN],
            )
        ),
    )
    assert isinstance(recommendation, models.Recommendation)
    assert recommendation.recommended == "django"
    assert [ranked.framework for ranked in recommendation.ranking][0] == "django"
    assert all(isinstance(ranked, models.Ranked) for ranked in recommendation.ranking)

    owner = UserFactory(username="client-user")
    _token, key = APIToken.create_token(user=owner, name="generated client")
    authenticated = clients.AuthenticatedClient(
        base_url=live_server.url, token=key, raise_on_unexpected_status=True
    )

    decision = create.sync(
        client=authenticated,
        body=models.DecisionCreateRequest(
            title="Docs portal",
            answers=models.DecisionCreateRequestAnswers(
                project=models.DecisionCreateRequestAnswersProjectType0.CONTENT,
                needs=[models.DecisionCreateRequestAnswersNeedsType1Item.ADMIN],
            ),
            notes="Saved by the generated client.",
        ),
    )
    assert isinstance(decision, models.Decision)
    assert decision.title == "Docs portal"
    assert decision.recommended == recommendation.recommended
    assert isinstance(decision.snapshot, models.Snapshot)
    assert decision.snapshot.fingerprint == recommendation.fingerprint

    page = listing.sync(client=authenticated)
    assert isinstance(page, models.PaginatedDecisionList)
    assert [listed.id for listed in page.results] == [decision.id]

    markdown = export.sync_detailed(decision.id, client=authenticated)
    assert markdown.status_code == HTTPStatus.OK
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "Docs portal" in markdown.parsed

    as_json = export.sync_detailed(
        decision.id, client=authenticated, format_=models.DecisionsExportRetrieveFormat.JSON
    )
    assert as_json.status_code == HTTPStatus.OK
    assert as_json.headers["content-type"].startswith("application/json")
    assert json.loads(as_json.parsed)["title"] == "Docs portal"

    deleted = destroy.sync_detailed(decision.id, client=authenticated)
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    gone = retrieve.sync_detailed(decision.id, client=authenticated)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(gone.parsed, models.ErrorDetail)
    assert listing.sync(client=authenticated).count == 0
