"""Find problems: load every ``*.py`` of a folder by path and collect its module-level Problems.

Files whose name starts with ``_`` are skipped. A problem file is plain Python: module-level
``Problem`` objects are the library; parameterised families are plain functions returning a Problem
(call them at module level for the sizes the library ships). Two problems with one name are an
error naming both files. Nothing is registered by import side effects: each call loads afresh.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

from workbench.problem import Problem
from workbench.validation import did_you_mean

__all__ = [
    "DuplicateProblemError",
    "builtin_folder",
    "discover_problems",
    "load_problem_file",
    "select_problems",
]


class DuplicateProblemError(ValueError):
    """Two problem files declare problems with the same name."""


def builtin_folder() -> Path:
    """The built-in library: ``problems/`` in a checkout, ``workbench/library`` when installed."""
    try:
        import workbench.library as library

        paths = list(getattr(library, "__path__", []))
        if paths:
            return Path(paths[0])
    except ImportError:
        pass
    return Path(__file__).resolve().parent.parent / "problems"


def load_problem_file(path: str | Path):
    """Load one problem file by path and return it as a module (its families are its functions)."""
    return _load_module(Path(path))


def _load_module(path: Path):
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"workbench_problems_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load problem file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[module_name]
        raise ImportError(f"problem file {path} failed to load: {type(error).__name__}: {error}") from error
    return module


def discover_problems(folder: str | Path | None = None) -> dict[str, Problem]:
    """``{name: Problem}`` for every problem declared in ``folder`` (the built-in library if None),
    sorted by name."""
    root = builtin_folder() if folder is None else Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"problem folder {root} does not exist")
    found: dict[str, Problem] = {}
    origin: dict[str, Path] = {}
    for path in sorted(root.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = _load_module(path)
        seen_here: set[int] = set()
        for value in vars(module).values():
            if not isinstance(value, Problem) or id(value) in seen_here:
                continue
            seen_here.add(id(value))
            if value.name in found and found[value.name] is not value:
                raise DuplicateProblemError(
                    f"two problems are named {value.name!r}: one in {origin[value.name]}, one in {path}; "
                    "rename one of them"
                )
            found[value.name] = value
            origin[value.name] = path
    return dict(sorted(found.items()))


def select_problems(problems: dict[str, Problem], selectors: Iterable[str]) -> dict[str, Problem]:
    """Pick problems by name or ``tag:NAME``; unknown names are an error listing close matches."""
    chosen: dict[str, Problem] = {}
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            continue
        if selector in ("all", "*"):
            chosen.update(problems)
        elif selector.startswith("tag:"):
            tag = selector[4:]
            matches = {name: p for name, p in problems.items() if tag in p.tags}
            if not matches:
                tags = sorted({t for p in problems.values() for t in p.tags})
                raise KeyError(f"no problem has tag {tag!r}; tags in use: {', '.join(tags)}")
            chosen.update(matches)
        elif selector in problems:
            chosen[selector] = problems[selector]
        else:
            hint = did_you_mean(selector, problems) or " (`workbench list` shows the library)"
            raise KeyError(f"no problem named {selector!r}{hint}")
    return dict(sorted(chosen.items()))
