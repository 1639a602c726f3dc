"""Hypothesis strategies for what people type, shared by every app's bad-input tests."""

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded so that the properties stay inside the normal pytest run on both databases.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    SCRIPT,
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><a href='javascript:alert(1)'>x</a>",
    "[click](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref]: javascript:alert(1)",
    "![x](https://example.com/x.png)",
    "# Heading\n\n## Decision Outcome",
    "Setext title\n===",
    "Setext section\n---",
    "1. one\n2. two",
    "* item\n+ item",
    "| a | b |\n|---|---|\n| c | d |",
    "```\ncode fence\n```",
    "~~~\nfence\n~~~",
    "    indented code",
    "> quote",
    "<!-- comment -->",
    "&lt;script&gt;&#60;b&#62;",
    "***",
    "\\",
    "\x00",
    "a\x00b",
    "\r\n\t\x0b\x0c\x1b\x7f",
    "\u202e\u2028\u2029\ufeff\u200b",
    "x" * 300,
]

# Any text that can be sent at all: UTF-8 cannot carry lone surrogates.
plain_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)

hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), plain_text), max_size=4).map("".join)

# Any JSON document, with hostile strings as keys and values (finite numbers: strict JSON).
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3),
    max_leaves=8,
)


def injected_markup(html: str, allowed_script_srcs: tuple = ("/static/",)) -> list[str]:
    """What in a page could run script: foreign <script>s, on* attributes, javascript: URLs."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for script in soup.find_all("script"):
        src = script.get("src", "")
        if script.get("type") == "application/ld+json":
            continue
        if not (src and src.startswith(allowed_script_srcs)):
            found.append(str(script)[:120])
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"<{tag.name} {name}=...>")
            values = value if isinstance(value, list) else [value]
            if any(str(v).strip().lower().startswith(("javascript:", "data:text/html")) for v in values):
                found.append(f"<{tag.name} {name}={value}>")
    return found
