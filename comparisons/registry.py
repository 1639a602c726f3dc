"""The package index client: fetch a package's JSON document and read release facts from it.

The endpoint is the client library's built-in one (pypi-json), or the
PACKAGE_INDEX_JSON_URL setting for a mirror. Parsing validates every field it
reads, so a malformed answer is an error here, never half-written facts.
"""

import datetime
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import requests
from django.conf import settings
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pypi_json import PyPIJSON

PYTHON_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (\d+\.\d+)$")
LICENSE_CLASSIFIER = "License :: "
# A licence field longer than this is the licence's full text, not its name.
LICENSE_NAME_MAX = 100
SUMMARY_MAX = 500


class RegistryError(Exception):
    """The index could not be reached or answered with an error."""


class InvalidDocument(RegistryError):
    """The index answered, but not with a document we can trust."""


@dataclass(frozen=True)
class AdvisoryData:
    id: str
    summary: str
    fixed_in: tuple[str, ...] = ()
    url: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageFacts:
    package: str
    latest_version: str
    latest_release_date: datetime.date | None
    first_release_date: datetime.date | None
    requires_python: str = ""
    python_versions: tuple[str, ...] = ()
    license: str = ""
    yanked: tuple[str, ...] = ()
    advisories: tuple[AdvisoryData, ...] = field(default=())


def index_client() -> PyPIJSON:
    """The JSON API client, on the configured mirror or the library's default endpoint."""
    url = settings.PACKAGE_INDEX_JSON_URL
    client = PyPIJSON(endpoint=url) if url else PyPIJSON()
    client.timeout = settings.PACKAGE_INDEX_TIMEOUT
    return client


def fetch_document(package: str, *, client: PyPIJSON | None = None) -> dict:
    """The package-level JSON document, retried on timeouts, connection errors and 5xx/429."""
    own_client = client is None
    client = client or index_client()
    # The client's URL type appends a slash to every path, which some mirrors answer
    # with 404; the canonical path has none, so build it on the client's endpoint.
    url = f"{str(client.endpoint).rstrip('/')}/{quote(package, safe='')}/json"
    attempts = max(1, settings.PACKAGE_INDEX_RETRIES + 1)
    try:
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = client.endpoint.session.get(url, timeout=client.timeout)
            except (requests.ConnectionError, requests.Timeout) as error:
                if last:
                    message = f"{package}: no answer after {attempts} attempt(s) ({error})"
                    raise RegistryError(message) from error
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError as error:
                        raise InvalidDocument(f"{package}: the answer is not JSON") from error
                if response.status_code == 404:
                    raise RegistryError(f"{package}: no such package on the index")
                if response.status_code != 429 and response.status_code < 500 or last:
                    raise RegistryError(f"{package}: the index answered HTTP {response.status_code}")
            time.sleep(min(settings.PACKAGE_INDEX_BACKOFF * 2**attempt, 8))
    finally:
        if own_client:
            client.endpoint.session.close()
    raise AssertionError("unreachable")  # pragma: no cover


def fetch_facts(package: str, *, client: PyPIJSON | None = None) -> PackageFacts:
    """Fetch and validate one package's facts."""
    return parse_document(package, fetch_document(package, client=client))


def parse_document(package: str, data) -> PackageFacts:
    """Release facts from a package-level document; InvalidDocument names what is wrong."""

    def invalid(what: str) -> InvalidDocument:
        return InvalidDocument(f"{package}: {what}")

    if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
        raise invalid("no 'info' object")
    info = data["info"]
    name = info.get("name")
    if not isinstance(name, str) or _normalise(name) != _normalise(package):
        raise invalid(f"the document is about {name!r}, not this package")

    latest = info.get("version")
    if not isinstance(latest, str):
        raise invalid("'info.version' is missing")
    try:
        Version(latest)
    except InvalidVersion as error:
        raise invalid(f"'info.version' {latest!r} is not a version") from error

    releases = data.get("releases")
    if not isinstance(releases, dict) or not all(isinstance(files, list) for files in releases.values()):
        raise invalid("'releases' is missing or not a mapping of versions to files")
    if latest not in releases:
        raise invalid(f"the latest version {latest} is not among 'releases'")

    uploads = {version: [_upload_date(package, f) for f in files] for version, files in releases.items()}
    latest_files = uploads[latest] or [_upload_date(package, f) for f in _list(package, data, "urls")]
    all_dates = [day for days in uploads.values() for day in days]

    requires_python = info.get("requires_python") or ""
    if not isinstance(requires_python, str):
        raise invalid("'info.requires_python' is not text")
    try:
        SpecifierSet(requires_python)
    except InvalidSpecifier as error:
        raise invalid(f"'info.requires_python' {requires_python!r} is not a specifier") from error

    classifiers = info.get("classifiers") or []
    if not isinstance(classifiers, list) or not all(isinstance(c, str) for c in classifiers):
        raise invalid("'info.classifiers' is not a list of text")

    advisories = tuple(
        _advisory(package, item)
        for item in _list(package, data, "vulnerabilities")
        if not (isinstance(item, dict) and item.get("withdrawn"))
    )
    ids = [advisory.id for advisory in advisories]
    if len(set(ids)) != len(ids):
        raise invalid("an advisory id is listed twice")

    return PackageFacts(
        package=package,
        latest_version=latest,
        latest_release_date=min(latest_files, default=None),
        first_release_date=min(all_dates, default=None),
        requires_python=requires_python,
        python_versions=python_versions(classifiers),
        license=_license(info, classifiers),
        yanked=tuple(
            sorted(
                (v for v, files in releases.items() if files and all(f.get("yanked") is True for f in files)),
                key=_version_key,
                reverse=True,
            )
        ),
        advisories=advisories,
    )


def python_versions(classifiers: list[str]) -> tuple[str, ...]:
    """The X.Y Python versions named by trove classifiers, oldest first."""
    found = set()
    for classifier in classifiers:
        match = PYTHON_CLASSIFIER.match(classifier.strip())
        if match:
            try:
                found.add(Version(match.group(1)))
            except InvalidVersion:
                continue
    return tuple(str(v) for v in sorted(found))


def _license(info: dict, classifiers: list[str]) -> str:
    for key in ("license_expression", "license"):
        value = info.get(key)
        value = value.strip() if isinstance(value, str) else ""
        if value and "\n" not in value and len(value) <= LICENSE_NAME_MAX:
            return value
    names = [c.split(" :: ")[-1] for c in classifiers if c.startswith(LICENSE_CLASSIFIER)]
    return ", ".join(names)


def _advisory(package: str, item) -> AdvisoryData:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
        raise InvalidDocument(f"{package}: an advisory has no id")
    summary = item.get("summary") or item.get("details") or ""
    if not isinstance(summary, str):
        raise InvalidDocument(f"{package}: advisory {item['id']} has a summary that is not text")
    summary = " ".join(summary.split())
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    fixed_in = item.get("fixed_in") or []
    aliases = item.get("aliases") or []
    link = item.get("link") or ""
    if not all(isinstance(v, str) for v in [*fixed_in, *aliases]) or not isinstance(link, str):
        raise InvalidDocument(f"{package}: advisory {item['id']} has malformed fields")
    if link and not link.startswith(("https://", "http://")):
        raise InvalidDocument(f"{package}: advisory {item['id']} has a link that is not a web address")
    return AdvisoryData(
        id=item["id"].strip(),
        summary=summary,
        fixed_in=tuple(fixed_in),
        url=link,
        aliases=tuple(aliases),
    )


def _list(package: str, data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InvalidDocument(f"{package}: '{key}' is not a list")
    return value


def _upload_date(package: str, file) -> datetime.date:
    stamp = file.get("upload_time_iso_8601") if isinstance(file, dict) else None
    if not isinstance(stamp, str):
        raise InvalidDocument(f"{package}: a release file has no upload time")
    try:
        return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(datetime.UTC).date()
    except ValueError as error:
        raise InvalidDocument(f"{package}: upload time {stamp!r} is not a date") from error


def _version_key(version: str):
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, Version("0"))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
