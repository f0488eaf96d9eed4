"""Discovery of problem files, selection by name and tag, and the list / check commands."""

import subprocess
import sys
import textwrap

import pytest

from workbench.cli import main
from workbench.discovery import DuplicateProblemError, ProblemFileWarning, discover_problems, select_problems

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


BROKEN_FILES = {
    "syntax.py": ("x = (1,\n", "SyntaxError"),
    "raises.py": ("import sympy\nraise RuntimeError('typo')\n", "RuntimeError: typo (line 2)"),
    "declaration.py": (
        "import sympy as sp\nfrom workbench import Problem\nx, y = sp.symbols('x y')\n"
        "bad = Problem(name='bad_declaration', variables=(x,), objective=x + y, x0=(0,))\n",
        "ProblemDeclarationError",
    ),
}


def test_broken_problem_files_are_skipped_by_name_and_the_rest_loads(tmp_path):
    write(tmp_path, "good.py", "good_problem")
    for filename, (text, _) in BROKEN_FILES.items():
        (tmp_path / filename).write_text(text)
    with pytest.warns(ProblemFileWarning) as caught:
        library = discover_problems(tmp_path)
    assert list(library) == ["good_problem"]
    messages = {w.message.path.name: str(w.message) for w in caught if w.category is ProblemFileWarning}
    assert set(messages) == set(BROKEN_FILES)
    for filename, (_, reason) in BROKEN_FILES.items():
        assert reason in messages[filename] and str(tmp_path / filename) in messages[filename]
        assert "\n" not in messages[filename]
    assert set(library.broken) == {tmp_path / f for f in BROKEN_FILES}


def test_a_problem_from_a_broken_file_is_an_error_naming_the_file(tmp_path, capsys):
    write(tmp_path, "good.py", "good_problem")
    (tmp_path / "declaration.py").write_text(BROKEN_FILES["declaration.py"][0])
    with pytest.warns(ProblemFileWarning):
        library = discover_problems(tmp_path)
    with pytest.raises(KeyError, match="declaration.py, which failed to load"):
        select_problems(library, ["bad_declaration"])
    assert main(["--problems-dir", str(tmp_path), "check", "bad_declaration"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2  # the file's warning line, then the one-sentence error
    assert err[0].startswith("workbench check: warning: problem file") and "ProblemDeclarationError" in err[0]
    assert "'bad_declaration' could not be loaded" in err[1] and "declaration.py" in err[1]
    assert "Traceback" not in "".join(err)


def test_cli_list_prints_one_line_per_broken_file_and_lists_the_rest(tmp_path, capsys):
    write(tmp_path, "good.py", "good_problem")
    for filename, (text, _) in BROKEN_FILES.items():
        (tmp_path / filename).write_text(text)
    assert main(["--problems-dir", str(tmp_path), "list"]) == 0
    captured = capsys.readouterr()
    assert "good_problem" in captured.out and "1 problems" in captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == len(BROKEN_FILES)
    assert all(line.startswith("workbench list: warning: problem file") for line in lines)


def test_duplicate_names_stay_an_error(tmp_path, capsys):
    write(tmp_path, "one.py", "same")
    write(tmp_path, "two.py", "same")
    assert main(["--problems-dir", str(tmp_path), "list"]) == 2
    err = capsys.readouterr().err
    assert "two problems are named 'same'" in err and len(err.strip().splitlines()) == 1


def test_problems_dir_that_is_a_file_or_missing_says_so(tmp_path, capsys):
    (tmp_path / "file.py").write_text("")
    assert main(["--problems-dir", str(tmp_path / "file.py"), "list"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["list", "--problems-dir", str(tmp_path / "missing")]) == 2
    assert "--problems-dir" in (err := capsys.readouterr().err) and "does not exist" in err
    with pytest.raises(NotADirectoryError, match="is a file"):
        discover_problems(tmp_path / "file.py")


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
