"""Find problems: load every ``*.py`` of a folder by path and collect its module-level Problems.

Files whose name starts with ``_`` are skipped. A problem file is plain Python: module-level
``Problem`` objects are the library; parameterised families are plain functions returning a Problem
(call them at module level for the sizes the library ships). Two problems with one name are an
error naming both files. Nothing is registered by import side effects: each call loads afresh.

Problem files are imported, so they run as code (like ``conftest.py``): load only folders you trust.

A file that fails to load (a syntax error, an exception at import, an invalid Problem declaration) does
not stop the rest of the library: it is skipped with a :class:`ProblemFileWarning` naming the file and
the error, and the returned :class:`ProblemLibrary` lists it in ``broken``, so that asking for a
problem it declares is an error naming the file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
import warnings
from collections.abc import Iterable
from pathlib import Path

from workbench.problem import InfeasibleStartWarning, NonSmoothWarning, Problem
from workbench.validation import did_you_mean

__all__ = [
    "DuplicateProblemError",
    "ProblemFileWarning",
    "ProblemLibrary",
    "builtin_folder",
    "discover_problems",
    "load_problem_file",
    "select_problems",
]


class DuplicateProblemError(ValueError):
    """Two problem files declare problems with the same name."""


class ProblemFileWarning(UserWarning):
    """A problem file failed to load and was skipped; ``path`` and ``reason`` say which and why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"problem file {path} was skipped: {reason}; fix it or move it out of the folder")
        self.path = path
        self.reason = reason


class ProblemLibrary(dict):
    """``{name: Problem}``, and in ``broken`` ``{path: reason}`` for each file that failed to load."""

    def __init__(self, problems: Iterable[tuple[str, Problem]] = (), broken: dict[Path, str] | None = None) -> None:
        super().__init__(problems)
        self.broken: dict[Path, str] = dict(broken or {})


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


class _ProblemFileError(ImportError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"problem file {path} failed to load: {reason}")
        self.path = path
        self.reason = reason


def _reason(path: Path, error: BaseException) -> str:
    """The error in one line, with the line of the problem file where it happened."""
    message = " ".join(str(error).split())
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg} (line {error.lineno})"
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    where = f" (line {lines[-1]})" if lines else ""
    return f"{type(error).__name__}: {message}{where}"


def _load_module(path: Path):
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"workbench_problems_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise _ProblemFileError(path, "not a loadable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[module_name]
        raise _ProblemFileError(path, _reason(path, error)) from error
    return module


def discover_problems(folder: str | Path | None = None) -> ProblemLibrary:
    """``{name: Problem}`` for every problem declared in ``folder`` (the built-in library if None),
    sorted by name. A file that fails to load is skipped with a :class:`ProblemFileWarning` and listed
    in the result's ``broken`` (module docstring)."""
    root = builtin_folder() if folder is None else Path(folder)
    if not root.exists():
        raise FileNotFoundError(f"problem folder {root} does not exist; give a folder of problem files")
    if not root.is_dir():
        raise NotADirectoryError(f"problem folder {root} is a file, not a folder; give the folder that holds it")
    found: dict[str, Problem] = {}
    origin: dict[str, Path] = {}
    broken: dict[Path, str] = {}
    for path in sorted(root.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            with warnings.catch_warnings():
                if folder is None:  # the built-in library's start points outside bounds are known, documented
                    warnings.simplefilter("ignore", InfeasibleStartWarning)
                    warnings.simplefilter("ignore", NonSmoothWarning)
                module = _load_module(path)
        except _ProblemFileError as error:
            broken[path] = error.reason
            warnings.warn(ProblemFileWarning(path, error.reason), stacklevel=2)
            continue
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
    return ProblemLibrary(sorted(found.items()), broken)


def _declared_in(problems: dict[str, Problem], name: str | None = None) -> str:
    """An error's tail for an unknown name when problem files failed to load: the broken file that
    mentions the name, else the list of broken files."""
    broken: dict[Path, str] = getattr(problems, "broken", {})
    for path, reason in broken.items() if name else ():
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if f"'{name}'" in text or f'"{name}"' in text:
            return f"; it is declared in {path}, which failed to load ({reason}): fix that file"
    if broken:
        return f"; {len(broken)} problem file(s) failed to load: {', '.join(str(p) for p in broken)}"
    return ""


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
                raise KeyError(f"no problem has tag {tag!r}; tags in use: {', '.join(tags)}{_declared_in(problems)}")
            chosen.update(matches)
        elif selector in problems:
            chosen[selector] = problems[selector]
        else:
            declared = _declared_in(problems, selector)
            if declared.startswith("; it is declared in"):
                raise KeyError(f"problem {selector!r} could not be loaded{declared}")
            hint = did_you_mean(selector, problems) or " (`workbench list` shows the library)"
            raise KeyError(f"no problem named {selector!r}{hint}{declared}")
    return dict(sorted(chosen.items()))
