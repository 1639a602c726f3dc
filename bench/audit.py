"""`make audit`: Lighthouse scores of the portal's key pages, served as production serves them.

Granian with production settings on PostgreSQL and Redis (loopback, plain HTTP),
the guide content seeded, then Lighthouse (tools/audit, pinned) in Debian's
Chromium on home, a guide page, /compare/ and /chooser/, with Lighthouse's
mobile and desktop presets. Prints the four category scores per page, checks
them against the bar (performance ≥ 90; accessibility, best practices and SEO
≥ 95) and that no page fetched anything from another origin, and appends the
run to docs/quality.md. Exits non-zero when a score is under the bar, unless
--report-only.

Run from the repository root with the virtualenv's Python, after `npm ci` in tools/audit:
    .venv/bin/python bench/audit.py [--preset mobile] [--report-only] [--no-record]
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from _serve import (
    ROOT,
    flush_redis,
    free_port,
    granian_command,
    portal_env,
    prepare_portal,
    start,
    stop,
    wait_until_up,
)

LIGHTHOUSE = ROOT / "tools" / "audit" / "node_modules" / ".bin" / "lighthouse"
QUALITY_DOC = ROOT / "docs" / "quality.md"
PAGES = ["/", "/guide/django/", "/compare/", "/chooser/"]
PRESETS = ["mobile", "desktop"]
THRESHOLDS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}
# Headless in a container as root; the rest keeps Chromium itself off the network.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
ATTEMPTS = 3
LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome-extension:")


def lighthouse(url: str, preset: str, output: Path, chrome_path: str) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(THRESHOLDS)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    # A run that fails to load or trace the page (NO_NAVSTART on a busy machine) is
    # retried, as Lighthouse itself advises; a score is never retried.
    for attempt in range(1, ATTEMPTS + 1):
        finished = subprocess.run(command, env=dict(os.environ, CHROME_PATH=chrome_path), timeout=300)
        if finished.returncode == 0:
            return json.loads(output.read_text())
        print(f"Lighthouse failed on {url} ({preset}), attempt {attempt} of {ATTEMPTS}")
    raise SystemExit(f"Lighthouse could not audit {url} ({preset})")


def scores(report: dict) -> dict[str, int | None]:
    return {
        name: None if category["score"] is None else round(category["score"] * 100)
        for name, category in report["categories"].items()
        if name in THRESHOLDS
    }


def foreign_requests(report: dict, origin: str) -> list[str]:
    """URLs the page fetched from anywhere but the portal itself."""
    items = report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    return sorted(
        {
            item["url"]
            for item in items
            if not item["url"].startswith(origin) and not item["url"].startswith(LOCAL_SCHEMES)
        }
    )


def shortfalls(report: dict, category: str) -> list[str]:
    """The weighted audits that cost the category points, heaviest first."""
    lines = []
    refs = sorted(report["categories"][category]["auditRefs"], key=lambda ref: -ref["weight"])
    for ref in refs:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(f"{ref['id']}: score {audit['score']:.2f}, weight {ref['weight']}{value}")
    return lines


def version_of(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def record(rows: list[dict], chrome_path: str, passed: bool) -> None:
    """Append this run to docs/quality.md: every run is kept, passing or not."""
    commit = version_of(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = version_of(["git", "-C", str(ROOT), "status", "--porcelain"])
    lines = [
        "",
        f"### {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"Commit {commit}{' with uncommitted changes' if dirty else ''}; "
        f"Lighthouse {version_of([str(LIGHTHOUSE), '--version'])}; "
        f"{version_of([chrome_path, '--version'])}; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores. {'All pages met the bar.' if passed else 'Under the bar: see bold.'}",
        "",
        "| page | preset | performance | accessibility | best practices | SEO |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = []
        for name, bar in THRESHOLDS.items():
            score = row["scores"].get(name)
            cells.append("n/a" if score is None else (f"**{score}**" if score < bar else str(score)))
        lines.append(f"| `{row['page']}` | {row['preset']} | {' | '.join(cells)} |")
        if row["foreign"]:
            lines.append(f"| | | other origins: {', '.join(row['foreign'])} | | | |")
    with QUALITY_DOC.open("a") as doc:
        doc.write("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--page", action="append", dest="pages", help="path to audit (repeatable)")
    parser.add_argument("--preset", choices=[*PRESETS, "both"], default="both")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when under the bar")
    parser.add_argument("--no-record", action="store_true", help="do not append the run to docs/quality.md")
    parser.add_argument("--keep-reports", type=Path, help="directory to keep Lighthouse's JSON reports in")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AUDIT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_audit"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("AUDIT_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--chrome-path", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci` in tools/audit (make audit does)")
    if not Path(args.chrome_path).exists():
        raise SystemExit(f"no Chromium at {args.chrome_path} (Debian: apt-get install chromium)")
    pages = args.pages or PAGES
    presets = PRESETS if args.preset == "both" else [args.preset]

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-audit-"))
    reports = args.keep_reports or workdir
    reports.mkdir(parents=True, exist_ok=True)
    env = portal_env(args.database_url, str(workdir / "static"), REDIS_URL=args.redis_url)
    prepare_portal(env)
    flush_redis(args.redis_url)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = start(granian_command(port, args.workers), env, workdir / "server.log")
    rows = []
    try:
        wait_until_up(origin + "/")
        for page in pages:
            for preset in presets:
                output = reports / f"{page.strip('/').replace('/', '_') or 'home'}-{preset}.json"
                report = lighthouse(origin + page, preset, output, args.chrome_path)
                rows.append(
                    {
                        "page": page,
                        "preset": preset,
                        "scores": scores(report),
                        "foreign": foreign_requests(report, origin),
                        "report": report,
                    }
                )
    finally:
        stop(server)
        flush_redis(args.redis_url)
        if not args.keep_reports:
            shutil.rmtree(workdir, ignore_errors=True)

    header = f"{'page':<18} {'preset':<8} " + " ".join(f"{name:>14}" for name in THRESHOLDS)
    print(header)
    print(f"{'bar':<18} {'':<8} " + " ".join(f"{'≥ ' + str(bar):>14}" for bar in THRESHOLDS.values()))
    print("-" * len(header))
    problems = []
    for row in rows:
        cells = []
        for name, bar in THRESHOLDS.items():
            score = row["scores"].get(name)
            low = score is None or score < bar
            cells.append(f"{'n/a' if score is None else score:>13}{'!' if low else ' '}")
            if low:
                problems.append((row, name))
        print(f"{row['page']:<18} {row['preset']:<8} " + " ".join(cells))
    for row in rows:
        if row["foreign"]:
            print(f"{row['page']} ({row['preset']}) fetched from other origins: {', '.join(row['foreign'])}")
    for row, category in problems:
        print(f"\n{row['page']} ({row['preset']}) {category} {row['scores'].get(category)}:")
        for line in shortfalls(row["report"], category):
            print(f"  {line}")
    failed = bool(problems) or any(row["foreign"] for row in rows)
    if not args.no_record:
        record(rows, args.chrome_path, not failed)
        print(f"\nrecorded in {QUALITY_DOC.relative_to(ROOT)}")
    print("audit: " + ("UNDER THE BAR" if failed else "every page met the bar"))
    return 1 if failed and not args.report_only else 0


if __name__ == "__main__":
    raise SystemExit(main())
