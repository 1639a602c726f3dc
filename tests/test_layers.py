"""Imports run one way: core below the feature apps, comparisons below decisions, portal on top."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# app -> modules it must not import (a module and everything under it)
FORBIDDEN = {
    "core": ("portal", "comparisons", "decisions"),
    "comparisons": ("portal", "decisions"),
    "decisions": ("portal", "comparisons.views"),
}


def imported_modules(source: str, module: str) -> set[str]:
    """Every module a source file imports, relative imports resolved against its own module name."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, node.module] if node.module else package)
            else:
                base = node.module
            found.add(base)
            # `from comparisons import views` imports comparisons.views.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def violations(root: Path) -> list[str]:
    problems = []
    for app, forbidden in FORBIDDEN.items():
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            module = ".".join(parts)
            for name in sorted(imported_modules(path.read_text(encoding="utf-8"), module)):
                if any(name == bad or name.startswith(f"{bad}.") for bad in forbidden):
                    problems.append(f"{path.relative_to(root)} imports {name}")
    return problems


def test_no_app_imports_a_layer_above_it():
    assert violations(ROOT) == []


def test_the_check_catches_a_planted_upward_import(tmp_path):
    for app in FORBIDDEN:
        (tmp_path / app).mkdir()
    (tmp_path / "comparisons" / "snapshot.py").write_text(
        "def build():\n    from portal.models import GuidePage\n", encoding="utf-8"
    )
    (tmp_path / "decisions" / "services.py").write_text(
        "from comparisons import views\nfrom comparisons import engine\n", encoding="utf-8"
    )
    (tmp_path / "core" / "cache.py").write_text(
        "import decisions.models as saved\nfrom . import content_version\n", encoding="utf-8"
    )
    (tmp_path / "comparisons" / "tests").mkdir()
    (tmp_path / "comparisons" / "tests" / "test_x.py").write_text("import portal\n", encoding="utf-8")

    assert violations(tmp_path) == [
        "core/cache.py imports decisions.models",
        "comparisons/snapshot.py imports portal.models",
        "comparisons/snapshot.py imports portal.models.GuidePage",
        "decisions/services.py imports comparisons.views",
    ]
