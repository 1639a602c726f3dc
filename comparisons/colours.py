"""Framework colours: the hex format and the WCAG contrast every colour must reach.

A framework's colour is used for text (links, names, eyebrows) as well as for
accents, so it must be readable on every background the site draws text on.
"""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2 AA for normal-size text.
MIN_CONTRAST = 4.5
# The page's own background and the darkest surface text sits on (--bg and
# --surface-2 in static/css/site.css).
BACKGROUNDS = {"white": "#ffffff", "the page's shaded panels": "#eef0f6"}


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_problems(colour: str) -> list[str]:
    """Why `colour` is too faint for text, one sentence per background it fails on."""
    problems = []
    for name, background in BACKGROUNDS.items():
        ratio = contrast_ratio(colour, background)
        if ratio < MIN_CONTRAST:
            problems.append(
                f"{colour} has a contrast of {ratio:.2f}:1 against {name} ({background}); "
                f"text needs at least {MIN_CONTRAST}:1. Choose a darker colour."
            )
    return problems
