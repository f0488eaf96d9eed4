"""Discovery of problem files, selection by name and tag, and the list / check commands."""

import subprocess
import sys
import textwrap

import pytest

from workbench.cli import main
from workbench.discovery import DuplicateProblemError, discover_problems, select_problems

PROBLEM_FILE = """
import sympy as sp
from workbench import Problem
a, b = sp.symbols("a b", real=True)
{name} = Problem(name="{name}", variables=(a, b), objective=(a - 1)**2 + (b + 2)**4, x0=(0, 0),
                 f_star=0.0, x_star=(1, -2), tags=("mine",))
"""


def write(folder, filename, name):
    (folder / filename).write_text(PROBLEM_FILE.format(name=name))


def test_builtin_library_contains_the_lecture_set(library):
    for name in (
        "hs071",
        "rosenbrock",
        "ill_conditioned_quadratic",
        "saddle",
        "monkey_saddle",
        "three_hump_camel",
        "beale",
        "booth",
        "himmelblau",
        "extended_rosenbrock_10",
    ):
        assert name in library
    lecture = select_problems(library, ["tag:lecture"])
    assert "rosenbrock" in lecture and all("lecture" in p.tags for p in lecture.values())


def test_user_folder_is_discovered_and_underscore_files_skipped(tmp_path):
    write(tmp_path, "mine.py", "first")
    write(tmp_path, "_private.py", "hidden")
    problems = discover_problems(tmp_path)
    assert list(problems) == ["first"]


def test_duplicate_names_name_both_files(tmp_path):
    write(tmp_path, "one.py", "same")
    write(tmp_path, "two.py", "same")
    with pytest.raises(DuplicateProblemError) as error:
        discover_problems(tmp_path)
    assert "one.py" in str(error.value) and "two.py" in str(error.value)


def test_selection_errors_are_helpful(library):
    with pytest.raises(KeyError, match="did you mean 'rosenbrock'"):
        select_problems(library, ["rosenbrok"])
    with pytest.raises(KeyError, match="tags in use"):
        select_problems(library, ["tag:nonexistent"])


def test_broken_problem_file_names_the_file(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('typo')\n")
    with pytest.raises(ImportError, match="broken.py"):
        discover_problems(tmp_path)


def test_cli_list_and_check_on_a_user_folder(tmp_path, capsys):
    write(tmp_path, "mine.py", "mine_problem")
    assert main(["list", "--problems-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "mine_problem" in out and "1 problems" in out
    assert main(["--problems-dir", str(tmp_path), "check", "mine_problem", "--random-points", "1"]) == 0
    out = capsys.readouterr().out
    assert "fd-forward" in out and "complex-step" in out and "random-1" in out


def test_cli_unknown_problem_exits_2_with_a_message(capsys):
    assert main(["check", "no_such_problem"]) == 2
    assert "no problem named" in capsys.readouterr().err


def test_installed_package_finds_its_library_from_another_directory(tmp_path):
    script = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("ignore")
        from workbench.discovery import discover_problems
        print(len(discover_problems()), "hs071" in discover_problems())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    count, has_hs071 = result.stdout.split()
    assert int(count) >= 10 and has_hs071 == "True"
