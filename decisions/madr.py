"""A saved decision as a Markdown Architecture Decision Record (MADR style).

Plain Python: it gets the decision's fields, its snapshot's result and the
labels it needs, and returns text. Everything the decider typed is escaped,
so a title or note cannot inject HTML or Markdown structure into the record.
"""

import re

# `=` and `-` under a line make it a (setext) heading; `$` starts math on GitHub.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>=$-])")
# "1." at the start of a line opens an ordered list (`)` is escaped above already).
_ORDERED_LIST_START = re.compile(r"^(\d+)\.", re.MULTILINE)


def md_escape(text: str) -> str:
    """Escape user text for Markdown: HTML entities first, then Markdown punctuation."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    # Keep paragraphs, but never let a line start a block (heading, list, quote, code).
    text = "\n".join(line.strip() for line in text.splitlines())
    return _ORDERED_LIST_START.sub(r"\1\\.", text)


def md_escape_line(text: str) -> str:
    """md_escape for one line (a heading, a list item): line breaks become spaces."""
    return " ".join(md_escape(text).split())


def render_madr(
    *,
    title: str,
    status: str,
    date: str,
    answers: dict,
    questions: dict,
    result: dict,
    aspect_names: dict,
    chosen_framework: str,
    chosen_reason: str,
    notes: str,
    fingerprint: str = "",
    must_have: list | tuple = (),
    tuned_weights: dict | None = None,
    constraints: dict | None = None,
    stack: dict | None = None,
    review_by: str = "",
) -> str:
    """The record. `questions` maps question slug to (prompt, {option slug: label})."""
    ranking = result["ranking"]
    names = {r["framework"]: r["name"] for r in ranking}
    chosen_name = names.get(chosen_framework, chosen_framework)
    recommended = result["recommended"]
    lines = [f"# {md_escape_line(title)}", "", f"* Status: {status}", f"* Date: {date}"]
    if review_by:
        lines.append(f"* Review by: {review_by}")
    lines.append("")

    lines += ["## Context and Problem Statement", ""]
    lines.append(
        "Which Python web framework should this project use: "
        + ", ".join(r["name"] for r in ranking)
        + "? The project was described by these answers:"
    )
    lines.append("")
    for question, options in answers.items():
        prompt, labels = questions.get(question, (question, {}))
        chosen = ", ".join(labels.get(option, option) for option in options)
        lines.append(f"* {md_escape_line(prompt)} {md_escape_line(chosen)}")
    lines.append("")

    lines += ["## Decision Drivers", ""]
    lines += must_have_lines(must_have, aspect_names)
    tuned = tuned_weights or {}
    drivers = sorted(result["weights"].items(), key=lambda item: (-abs(item[1]), item[0]))
    for aspect, weight in drivers:
        direction = "counts for" if weight > 0 else "counts against"
        own = ", our own weight" if aspect in tuned else ""
        lines.append(f"* {aspect_names.get(aspect, aspect)} (weight {weight:+g}{own}, {direction})")
    lines += constraint_lines(constraints or {})
    for scenario in result["matched_scenarios"]:
        name = scenario.get("framework_name", scenario["framework"])
        lines.append(f"* Cheat-sheet situation: {md_escape_line(scenario['situation'])} → {name}")
    lines.append("")

    lines += ["## Considered Options", ""]
    for ranked in ranking:
        lines.append(f"* {ranked['name']}: fit score {ranked['score']:.0f}/100")
    lines.append("")

    lines += ["## Decision Outcome", ""]
    outcome = f'Chosen option: "{chosen_name}"'
    if chosen_framework == recommended:
        winner = ranking[0]
        outcome += ", because it fits these answers best"
        reasons = [md_escape_line(r["text"]) for r in winner["reasons"]]
        lines.append(outcome + (":" if reasons else "."))
        lines += [f"* {reason}" for reason in reasons]
    else:
        lines.append(outcome + f", although Stackfit recommended {names.get(recommended, recommended)}.")
        if chosen_reason:
            lines += ["", "Why: " + md_escape(chosen_reason)]
    lines.append("")
    lines += outcome_lines(result, stack or {}, names, aspect_names)

    lines += ["### Consequences", ""]
    inputs = result.get("inputs", {})
    ratings = inputs.get("ratings", {}).get(chosen_framework, {})
    weighted = set(result["weights"])
    good = [a for a in sorted(weighted) if (ratings.get(a) or 0) >= 4 and result["weights"][a] > 0]
    bad = [a for a, score in sorted(ratings.items()) if score is not None and score <= 2]
    lines += [f"* Good, because {chosen_name} is strong on {aspect_names.get(a, a).lower()}" for a in good]
    lines += [
        f"* Bad, because {chosen_name} is weak on {aspect_names.get(a, a).lower()} ({ratings[a]}/5)"
        for a in bad
    ]
    if not good and not bad:
        lines.append("* No aspect of the matrix stands out for or against this choice.")
    lines.append("")

    if notes:
        lines += ["## Notes", "", md_escape(notes), ""]
    lines.append(f"Generated by Stackfit from matrix and chooser version {fingerprint}.")
    return "\n".join(lines) + "\n"


VERDICTS = {"clear": "a clear winner", "close_call": "a close call", "tie": "a tie"}


def must_have_lines(must_have, aspect_names: dict) -> list[str]:
    """Must-haves lead the decision drivers: they rule frameworks out rather than weigh them."""
    return [
        f"* Must have: {aspect_names.get(aspect, aspect)} (built in, or covered by a companion in the stack)"
        for aspect in must_have
    ]


def constraint_lines(constraints: dict) -> list[str]:
    lines = []
    if constraints.get("python"):
        lines.append(f"* Constraint: runs on Python {md_escape_line(constraints['python'])}")
    if constraints.get("supported_until"):
        lines.append(
            f"* Constraint: supported at least until {md_escape_line(constraints['supported_until'])}"
        )
    if constraints.get("no_open_advisories"):
        lines.append("* Constraint: no open security advisories on the latest release")
    return lines


def outcome_lines(result: dict, stack: dict, names: dict, aspect_names: dict) -> list[str]:
    """The verdict and margin, the recommended stack, and who was ruled out and why."""
    lines = []
    verdict = result.get("verdict")
    eligible = [r for r in result["ranking"] if not r.get("ruled_out")]
    if verdict and len(eligible) > 1:
        first, second = eligible[0]["name"], eligible[1]["name"]
        margin = result.get("margin", 0.0)
        called = VERDICTS.get(verdict, verdict)
        lines.append(f"Stackfit called it {called}: {first} led {second} by {margin:.1f} points.")
        lines.append("")
    if stack.get("framework"):
        parts = [names.get(stack["framework"], stack["framework"])]
        lines.append("Recommended stack:")
        lines.append("")
        lines.append(f"* {parts[0]}")
        for companion in stack.get("companions", ()):
            covers = ", ".join(aspect_names.get(a, a).lower() for a in companion.get("covers", ()))
            package = f" (package {md_escape_line(companion['package'])})" if companion.get("package") else ""
            name = md_escape_line(companion["name"])
            lines.append(f"* {name}{package}" + (f": covers {md_escape_line(covers)}" if covers else ""))
        lines.append("")
    ruled = [r for r in result["ranking"] if r.get("ruled_out")]
    if ruled:
        lines.append("Ruled out:")
        lines.append("")
        for ranked in ruled:
            reasons = "; ".join(item["reason"] for item in ranked["ruled_out"])
            lines.append(f"* {md_escape_line(ranked['name'])}: {md_escape_line(reasons)}")
        lines.append("")
    return lines
