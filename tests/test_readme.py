"""The README is a contract: its imports are public names, every Python block runs as written (in
order, in one namespace, in a temporary folder) and every shell command it shows exits 0 on a small
study. The lines that are not run are listed in SKIPPED with the reason."""

import importlib
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import workbench
from workbench.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"

#: README shell lines that are not run here, by their first words, and why.
SKIPPED = {
    "python3 -m venv": "the quick start's install line: the suite already runs inside an installed workbench",
    ".venv/bin/python -m pytest": "the test suite itself",
    "dask scheduler": "starts a Dask cluster (needs the dask extra and a network)",
    "dask worker": "starts a Dask cluster (needs the dask extra and a network)",
    "workbench run --problems all --methods lbfgs,trust-constr --scheduler": "needs a running Dask scheduler",
}


def blocks(language: str) -> list[tuple[int, str]]:
    """(line number, text) of every fenced block of ``language`` in the README, in order."""
    text = README.read_text()
    found = []
    for match in re.finditer(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S):
        found.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def shell_commands() -> list[tuple[int, str]]:
    """Every command of the README's bash blocks: continuation lines joined, comments dropped."""
    commands = []
    for line_number, block in blocks("bash"):
        for command in re.sub(r"\\\n\s*", " ", block).splitlines():
            words = shlex.split(command, comments=True)
            if words:
                commands.append((line_number, shlex.join(words)))
    return commands


# -- the public API ------------------------------------------------------------------------------------------------


def test_every_name_in_all_resolves():
    for name in workbench.__all__:
        assert getattr(workbench, name) is not None, name
    assert set(workbench.__all__) <= set(dir(workbench))


def test_the_readmes_imports_are_public_names():
    imported = []
    for _, block in blocks("python"):
        for module, names in re.findall(r"^from (workbench[\w.]*) import ([\w, ]+)$", block, flags=re.M):
            imported += [(module, name.strip()) for name in names.split(",")]
    for _, block in blocks("bash") + [(0, README.read_text())]:
        imported += re.findall(r"from (workbench) import (\w+)", block)
    assert ("workbench", "solve") in imported and ("workbench", "Problem") in imported
    for module, name in imported:
        if module == "workbench":
            assert name in workbench.__all__, name
        assert getattr(importlib.import_module(module), name) is not None, (module, name)
    for name in ("Problem", "solve", "Study", "MethodSpec", "discover_problems", "load_runs"):
        assert name in workbench.__all__


def test_import_workbench_and_list_stay_cheap():
    """``import workbench``, ``import workbench.problem`` and ``workbench list`` load no optimizer."""
    script = textwrap.dedent(
        """
        import sys
        import workbench, workbench.problem
        from workbench import Problem, discover_problems
        from workbench.cli import main
        main(["list"])
        heavy = [m for m in ("scipy.optimize", "workbench.runner", "workbench.study", "workbench.store.load_runs")
                 if m in sys.modules]
        print("HEAVY", heavy)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stdout, result.stdout[-500:]


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'solvee'"):
        workbench.solvee  # noqa: B018


# -- the Python blocks, in order ------------------------------------------------------------------------------------


def test_every_python_block_runs_in_order(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # whatever the examples write lands here, not in the repository
    namespace: dict = {"__name__": "readme"}
    found = blocks("python")
    assert len(found) >= 3
    for line_number, block in found:
        try:
            exec(compile(block, f"README.md:{line_number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"the README's Python block at line {line_number} fails: {error!r}") from error
    assert (tmp_path / "reports" / "results.sqlite").exists()
    assert namespace["summary"].ran == len(namespace["runs"]) > 0
    # the comment after print(summary.text()) shows the printed line, "..." standing for what varies
    comment = re.search(r"print\(summary\.text\(\)\)\s+# (.*)", README.read_text()).group(1).strip()
    pattern = ".*?".join(re.escape(part) for part in comment.split("..."))
    assert re.match(pattern, capsys.readouterr().out.strip().splitlines()[-1]), comment


# -- the shell commands ---------------------------------------------------------------------------------------------

PROBLEM_FILE = """
import sympy as sp
from workbench import Problem
a, b = sp.symbols("a b", real=True)
mine = Problem(name="mine", variables=(a, b), objective=(a - 1)**2 + (b + 2)**4, x0=(0, 0), f_star=0.0)
"""


def narrowed(words: list[str]) -> list[str]:
    """A README command made small: a study narrowed to one or two problems and short runs; the store,
    the output and the problem folder are the README's own relative paths, inside the temporary folder."""
    words = list(words)
    if words[1] == "report" and "--from-store" not in words:
        words[words.index("--problems") + 1] = "booth"  # the report's own study: every variant, 500 iterations
        return [*words, "--quiet"]
    if words[1] != "run":
        return words
    if "--problems" in words:
        words[words.index("--problems") + 1] = "rosenbrock,booth"
    else:
        words += ["--problems", "rosenbrock"]
    return [*words, "--option", "max_iterations=300", "--quiet"]


def test_every_shell_command_of_the_readme_exits_0(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    toml = [block for _, block in blocks("toml")]
    assert len(toml) == 1
    (tmp_path / "study.toml").write_text(toml[0])  # the README's study file, for `--study study.toml`
    (tmp_path / "my_problems").mkdir()
    (tmp_path / "my_problems" / "mine.py").write_text(PROBLEM_FILE)
    ran, skipped = [], []
    for line_number, command in shell_commands():
        reason = next((why for start, why in SKIPPED.items() if command.startswith(start)), None)
        if reason is not None:
            skipped.append(command)
            continue
        words = shlex.split(command)
        assert words[0] == "workbench", f"README.md:{line_number}: {command} is neither run nor in SKIPPED"
        code = main(narrowed(words)[1:])
        captured = capsys.readouterr()
        assert code == 0, f"README.md:{line_number}: {command} exited {code}: {captured.err}"
        ran.append(command)
    assert len(ran) >= 10 and len(skipped) == len(SKIPPED)  # each skip names one README line
    assert (tmp_path / "reports" / "export" / "runs.csv").exists() and (tmp_path / "reports" / "index.html").exists()
    assert not (README.parent / "study.toml").exists()
