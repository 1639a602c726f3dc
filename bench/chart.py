"""Draws docs/benchmarks.svg from docs/benchmarks.json: plain SVG, no dependencies.

Every panel comes from the figures the bench scripts recorded (recommendations.py,
levers.py, soak.py, engine.py); a panel whose figures are missing is left out.
    .venv/bin/python bench/chart.py [--input docs/benchmarks.json] [--output docs/benchmarks.svg]
"""

import argparse
import json
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, LABEL_W, BAR_X, BAR_MAX, ROW_H = 760, 230, 240, 260, 24
INK, MUTED = "#0f172a", "#475569"
PORTAL, REFERENCE, AFTER, PAGE = "#3730a3", "#0d9488", "#6366f1", "#f59e0b"


def panel(title: str, rows: list[tuple[str, float, str, str]], note: str = "") -> tuple[list[str], int]:
    """A titled group of horizontal bars: rows of (label, value, value text, colour)."""
    parts = [f'<text x="20" y="20" font-weight="700" fill="{INK}">{escape(title)}</text>']
    top = 32
    if note:
        parts.append(f'<text x="20" y="38" fill="{MUTED}" font-size="12">{escape(note)}</text>')
        top = 48
    largest = max((value for _, value, _, _ in rows), default=0) or 1
    for number, (label, value, text, colour) in enumerate(rows):
        y = top + number * ROW_H
        width = max(value / largest * BAR_MAX, 1)
        parts.append(f'<text x="20" y="{y + 13}" fill="{INK}">{escape(label)}</text>')
        parts.append(
            f'<rect x="{BAR_X}" y="{y + 1}" width="{width:.1f}" height="16" rx="3" fill="{colour}"/>'
        )
        parts.append(f'<text x="{BAR_X + width + 6:.1f}" y="{y + 13}" fill="{INK}">{escape(text)}</text>')
    return parts, top + len(rows) * ROW_H + 14


def panels(results: dict) -> list[tuple[list[str], int]]:
    drawn = []
    bench = results.get("recommendations")
    if bench and bench.get("servers"):
        head = bench["servers"][0]
        drawn.append(
            panel(
                f"make bench: POST /api/v1/recommendations/, ratio portal/FastAPI {_ratios(head)}",
                [
                    ("FastAPI + uvicorn (reference)", head["fastapi_rps"], _rps(head, "fastapi"), REFERENCE),
                    (
                        f"Stackfit portal, granian {head['config']}",
                        head["portal_rps"],
                        _rps(head, "portal"),
                        PORTAL,
                    ),
                ],
                f"median of {bench['rounds']} alternating pairs, wrk -c{bench['connections']} "
                f"-d{bench['seconds']}s, measured {bench['measured']}",
            )
        )
        if len(bench["servers"]) > 1:
            drawn.append(
                panel(
                    "granian workers × threads: the portal's CPU per request (lower is better)",
                    [
                        (
                            f"{s['workers']} workers × {s['threads']} thread(s)",
                            s.get("portal_cpu_ms") or s["ratio"],
                            f"{s['portal_cpu_ms']:.2f} ms; req/s ratio {s['ratio']:.2f}"
                            if s.get("portal_cpu_ms")
                            else f"req/s ratio {s['ratio']:.2f}",
                            PORTAL,
                        )
                        for s in bench["servers"]
                    ],
                )
            )
    levers = results.get("levers")
    if levers:
        rows = []
        for lever in levers["levers"]:
            rows.append(
                (
                    lever["label"],
                    lever["cpu_ms"],
                    f"{lever['cpu_ms']:.2f} ms, {lever['queries']} queries",
                    AFTER,
                )
            )
        for lever in levers["levers"]:
            rows.append(
                (
                    f"page hit, {lever['label']}",
                    lever["page_hit_cpu_ms"],
                    f"{lever['page_hit_cpu_ms']:.2f} ms, {lever['page_hit_queries']} queries",
                    PAGE,
                )
            )
        drawn.append(
            panel(
                "Levers: CPU per request in process (API call, then cached page hit)",
                rows,
                f"best of {levers['rounds']} rounds taken in turn, measured {levers['measured']}",
            )
        )
    soak = results.get("soak")
    if soak:
        drawn.append(
            panel(
                f"make soak: {soak['total_rps']:.0f} req/s in all, p99 per kind",
                [(kind, row["p99_ms"], f"p99 {row['p99_ms']:.0f} ms, {row['rps']:.0f} req/s", PORTAL)
                 for kind, row in soak["kinds"].items()],
                f"{soak['connections']} connections, {soak['duration']}s, measured {soak['measured']}",
            )
        )  # fmt: skip
    return drawn


def _rps(server: dict, name: str) -> str:
    text = f"{server[name + '_rps']:.0f} req/s, p99 {server[name + '_p99']:.0f} ms"
    if server.get(name + "_cpu_ms"):
        text += f", {server[name + '_cpu_ms']:.2f} ms CPU"
    return text


def _ratios(server: dict) -> str:
    text = f"{server['ratio']:.2f}"
    if server.get("cpu_ratio"):
        text += f" (CPU per request: {server['cpu_ratio']:.2f})"
    return text


def svg(results: dict) -> str:
    body, y = [], 10
    for parts, height in panels(results):
        body.append(f'<g transform="translate(0 {y})">' + "".join(parts) + "</g>")
        y += height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {y}" '
        'font-family="system-ui, sans-serif" font-size="13">\n'
        "<title>Benchmarks: the recommendation endpoint against FastAPI, each lever, the soak</title>\n"
        f'<rect width="{WIDTH}" height="{y}" fill="#fff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--input", type=Path, default=ROOT / "docs" / "benchmarks.json")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.svg")
    args = parser.parse_args()
    args.output.write_text(svg(json.loads(args.input.read_text())))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
