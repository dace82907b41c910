"""The import graph follows the architecture (../shared/DESIGN.md): events -> engines -> tools -> agent ->
apps.

Every import counts, including those inside functions (heavy libraries are imported lazily, and so are some
of our own modules): an arrow that runs back up is a wrong-way dependency however late it is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("chronotope", "agent", "tools", "finetune", "ui")
GROUND = ("tools.events", "tools.results", "tools.errors", "tools.cancellation", "tools.embeddings",
          "tools.language")
ENGINES = ("tools.query", "tools.forecast", "tools.recommend", "tools.anomaly", "tools.knowledge")
TOOLS = ("tools.registry", "tools.agent_tools")

# What each part may import besides itself (prefixes of module names).
ALLOWED: dict[str, tuple[str, ...]] = {
    "tools": (),  # the package itself holds nothing
    **{ground: GROUND for ground in GROUND},
    **{engine: GROUND for engine in ENGINES},
    "tools.registry": GROUND,
    "tools.agent_tools": (*GROUND, *ENGINES, "tools.registry"),
    "agent.llm": (*GROUND, "tools.registry"),
    "agent.config": ("agent.llm",),
    "agent": ("agent.llm", *GROUND, "tools.registry"),
    "ui": ("agent", *GROUND, *ENGINES, *TOOLS),
    "finetune": ("agent", *GROUND, *ENGINES, *TOOLS),
    "chronotope": PACKAGES,
}
# Settings (agent.config) are read only where objects are built from them: the composition root and the
# fine-tuning scripts' entry points.
SETTINGS_READERS = ("chronotope", "finetune", "agent.config")


def _part(module: str) -> str:
    """The longest key of ALLOWED that `module` falls under."""
    matches = [key for key in ALLOWED if module == key or module.startswith(key + ".")]
    return max(matches, key=len)


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _imports(path: Path, module: str) -> set[str]:
    """Every module of ours that `path` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}  # `from tools import x` imports tools.x
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _modules() -> list[tuple[str, Path]]:
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return modules


def _known(name: str, modules: set[str]) -> str | None:
    """The module of ours `name` refers to (a module, or a name inside one), or None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_no_import_runs_back_up_the_layers() -> None:
    modules = dict(_modules())
    wrong: set[str] = set()
    for module, path in modules.items():
        part = _part(module)
        for imported in _imports(path, module):
            target = _known(imported, set(modules))
            if target is None or _part(target) == part or _within(target, (part,)):
                continue
            if not _within(target, ALLOWED[part]):
                wrong.add(f"{module} -> {target}")
    assert not wrong, "imports against the layers (see ../shared/DESIGN.md):\n" + "\n".join(sorted(wrong))


def test_settings_are_read_only_by_the_composition_root() -> None:
    readers = sorted(
        module
        for module, path in _modules()
        if "agent.config" in _imports(path, module) and not _within(module, SETTINGS_READERS)
    )
    assert not readers, f"modules that read Settings instead of taking plain values: {readers}"


def test_the_check_itself_sees_a_wrong_way_import(tmp_path: Path) -> None:
    path = tmp_path / "volume.py"
    path.write_text("def f():\n    from agent.graph import ShopAgent\n    from tools.events import store\n")
    assert _imports(path, "tools.anomaly.volume") == {"agent.graph", "agent.graph.ShopAgent", "tools.events",
                                                     "tools.events.store"}
    assert not _within("agent.graph", ALLOWED[_part("tools.anomaly.volume")])


def test_no_module_is_over_400_lines() -> None:
    """One concept per module: a file past ~400 lines holds more than one (split it, don't raise this)."""
    roots = [ROOT / package for package in PACKAGES] + [ROOT / "tests", ROOT / "bench"]
    long = {
        str(path.relative_to(ROOT)): lines
        for root in roots
        for path in root.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, f"modules over 400 lines: {long}"
