"""What can be checked here of the production set-up without a Docker engine."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
SETTINGS_SOURCES = [*ROOT.glob("portal/settings/*.py"), ROOT / "scripts" / "docker-entrypoint.sh"]
# Variables that only the compose file or the postgres image use.
COMPOSE_ONLY = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "PORT"}


def variables_read_by_the_project() -> set[str]:
    names = set()
    for path in SETTINGS_SOURCES:
        text = path.read_text()
        names |= set(re.findall(r'(?:environ\.get|environ\[|env_bool|env_list)\(?\s*"([A-Z_]+)"', text))
        names |= set(re.findall(r"\$\{([A-Z_]+)(?::-[^}]*)?\}", text))
    return names


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_a_healthy_database_before_the_web(compose):
    services = compose["services"]
    assert set(services) >= {"db", "web"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pgdata" in compose["volumes"]


def test_every_web_variable_is_read_by_the_settings(compose):
    known = variables_read_by_the_project()
    web = compose["services"]["web"]["environment"]
    assert set(web) - known == set()
    assert {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(web)


def test_env_example_lists_only_known_variables():
    keys = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert keys - variables_read_by_the_project() - COMPOSE_ONLY == set()


def test_dockerfile_and_entrypoint_use_what_the_project_has():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER stackfit" in dockerfile
    assert (ROOT / "scripts" / "docker-entrypoint.sh").exists()
    entrypoint = (ROOT / "scripts" / "docker-entrypoint.sh").read_text()
    for command in re.findall(r"manage\.py (\w+)", dockerfile + entrypoint):
        assert command in get_commands(), command
    assert "portal.wsgi:application" in entrypoint
    assert "granian" in (ROOT / "requirements.txt").read_text()


def production_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.production", **overrides)
    return env


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY must be set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set")],
)
def test_production_refuses_to_start_without_its_secrets(missing, message):
    values = {
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "postgres://u:p@localhost/db",
    }
    values.pop(missing)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=production_env(**values),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr
