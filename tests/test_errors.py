"""The command line's error boundary: every bad input or environment ends in one sentence on stderr
naming the option, file, store or folder and the fix, with exit code 2, no traceback (unless --debug)
and nothing written; runs that fail give exit code 1 where running is the job; a bug gives 3 and
Ctrl-C 130. numpy's RuntimeWarnings never reach the terminal."""

import dataclasses
import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.study import Study

OVERFLOW_PROBLEM = """
import sympy as sp
from workbench import Problem
x, y = sp.symbols("x y", real=True)
overflow = Problem(name="overflow", variables=(x, y), objective=sp.exp(x**3) + y**2, x0=(100, 1))
"""


def one_sentence(capsys, *words):
    """The captured stderr is one line, holds every word and no traceback; returns it."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """A small store written by the workbench."""
    path = tmp_path_factory.mktemp("real") / "results.sqlite"
    Study(name="small", problems=["booth", "rosenbrock"], methods=["lbfgs"]).run(store=path, progress=False)
    return path


# -- 1. options checked by argparse, before anything runs --------------------------------------------------------


@pytest.mark.parametrize(
    "argv, words",
    [
        (["run", "--jobs", "-1"], ["workbench run:", "--jobs must be a whole number >= 1, got -1"]),
        (["run", "--jobs", "0"], ["--jobs must be a whole number >= 1, got 0"]),
        (["run", "--seeds", "a"], ["--seeds must be comma-separated whole numbers", "'a'"]),
        (["run", "--seeds", "1,-2"], ["--seeds must be comma-separated whole numbers"]),
        (["run", "--starts", "0"], ["--starts must be a whole number >= 1"]),
        (["run", "--time-limit", "-5"], ["--time-limit must be a number > 0"]),
        (["report", "--jobs", "0"], ["workbench report:", "--jobs must be a whole number >= 1"]),
        (["lesson", "--jobs", "x"], ["workbench lesson:", "--jobs must be a whole number >= 1, got 'x'"]),
        (["check", "rosenbrock", "--random-points", "-1"], ["--random-points must be a whole number >= 0"]),
    ],
)
def test_bad_option_values_are_one_sentence_and_exit_2(argv, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "new.sqlite"
    assert main([*argv, *(["--store", str(store)] if argv[0] in ("run", "report") else [])]) == 2
    one_sentence(capsys, *words, "--help")
    assert not store.exists() and os.listdir(tmp_path) == []


def test_help_documents_the_exit_codes_and_debug(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "--debug" in out
    for line in ("0    done", "1    done, but some runs", "2    bad input or environment", "3    internal error",
                 "130  interrupted"):  # fmt: skip
        assert line in out
    assert main(["run", "--help"]) == 0
    assert "exit codes:" in capsys.readouterr().out


# -- 2. bad input found before anything is stored ------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--derivatives", "fd-sideways"], ["unknown derivative variant 'fd-sideways'"]),
        (["--methods", "newtn"], ["unknown method 'newtn'"]),
        (["--methods", "sgd:lr=0.1"], ["method 'sgd' does not take option 'lr'"]),
        (["--problems", "no_such_problem"], ["no problem named 'no_such_problem'"]),
    ],
)
@pytest.mark.parametrize("command", ["run", "report"])
def test_bad_grid_leaves_no_store_and_no_output(command, argv, words, tmp_path, capsys):
    store, output = tmp_path / "results.sqlite", tmp_path / "reports"
    extra = ["--output", str(output)] if command == "report" else []
    problems = [] if "--problems" in argv else ["--problems", "booth"]
    assert main([command, *problems, *argv, "--store", str(store), *extra, "--quiet"]) == 2
    one_sentence(capsys, f"workbench {command}:", *words)
    assert not store.exists() and not output.exists()


def test_toml_syntax_error_names_the_file_and_the_line(tmp_path, capsys):
    study = tmp_path / "study.toml"
    study.write_text('name = "x"\nproblems = ["booth"]\nderivatives = [analytic]\n')
    assert main(["run", "--study", str(study), "--store", str(tmp_path / "s.sqlite")]) == 2
    one_sentence(capsys, str(study), "not valid TOML", "line 3")
    assert not (tmp_path / "s.sqlite").exists()


def test_study_file_values_are_checked_like_options(tmp_path, capsys):
    study = tmp_path / "study.toml"
    study.write_text('problems = ["booth"]\njobs = 0\n')
    assert main(["run", "--study", str(study), "--store", str(tmp_path / "s.sqlite")]) == 2
    one_sentence(capsys, str(study), "jobs must be a whole number >= 1, got 0")
    assert main(["run", "--study", str(tmp_path / "missing.toml")]) == 2
    one_sentence(capsys, "--study", "missing.toml", "does not exist")


# -- corrupt, truncated and foreign stores: refused, unchanged --------------------------------------------------------


def store_commands(store, output):
    return {
        "run": ["run", "--problems", "booth", "--store", str(store), "--quiet"],
        "export": ["export", "--store", str(store), "--output", str(output)],
        "report --from-store": ["report", "--from-store", "--store", str(store), "--output", str(output)],
        "report": [
            *"report --problems booth --methods lbfgs --derivatives analytic --jobs 1 --quiet".split(),
            *["--store", str(store), "--output", str(output)],
        ],
        "lesson": ["lesson", "--store", str(store), "--output", str(output), "--jobs", "1", "--quiet"],
    }


def foreign_sqlite(path):
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
        connection.execute("INSERT INTO people VALUES ('ada')")
    connection.close()


@pytest.mark.parametrize("command", list(store_commands("s", "o")))
@pytest.mark.parametrize("kind", ["random bytes", "text file", "foreign sqlite", "truncated store"])
def test_a_file_that_is_not_a_workbench_store_is_refused_and_unchanged(kind, command, real_store, tmp_path, capsys):
    store, output = tmp_path / "store.sqlite", tmp_path / "out"
    if kind == "random bytes":
        store.write_bytes(os.urandom(4096))
    elif kind == "text file":
        store.write_text("name,value\nalpha,1\n" * 50)
    elif kind == "foreign sqlite":
        foreign_sqlite(store)
    else:
        store.write_bytes(real_store.read_bytes()[: real_store.stat().st_size // 2])
    before = store.read_bytes()
    assert main(store_commands(store, output)[command]) == 2
    line = one_sentence(capsys, str(store))
    assert "not a workbench result store" in line or "damaged" in line
    assert store.read_bytes() == before
    assert not output.exists()
    assert {p.name for p in tmp_path.iterdir()} <= {"store.sqlite", "store.sqlite-shm", "store.sqlite-wal"}


def test_a_store_damaged_inside_is_one_sentence(real_store, tmp_path, capsys):
    """A store whose meta page is intact but whose runs are not: the error surfaces while reading."""
    import sqlite3

    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(real_store.read_bytes())
    with sqlite3.connect(real_store) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    for start in range(2 * page_size, len(data), page_size):  # every page after the first two: garbage
        data[start : start + page_size] = os.urandom(page_size)
    damaged.write_bytes(bytes(data))
    assert main(["export", "--store", str(damaged), "--output", str(tmp_path / "out")]) == 2
    line = one_sentence(capsys, str(damaged))
    assert "damaged" in line or "not a workbench result store" in line


# -- read-only disks and paths that cannot be written ------------------------------------------------------------


def test_a_store_under_a_file_is_one_sentence(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    store = tmp_path / "file" / "sub" / "results.sqlite"
    assert main(["run", "--problems", "booth", "--store", str(store), "--quiet"]) == 2
    one_sentence(capsys, "cannot create the folder of the result store", str(store), "writable folder")


def test_an_output_folder_under_a_file_is_one_sentence(real_store, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["export", "--store", str(real_store), "--output", str(tmp_path / "file" / "out")]) == 2
    one_sentence(capsys, "cannot create the output folder", "file", "--output")


def test_an_output_folder_on_a_read_only_disk_is_one_sentence(real_store, tmp_path, capsys, monkeypatch):
    """A read-only file system, simulated where files are created: EROFS from the operating system."""
    import workbench.output

    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(dir))

    monkeypatch.setattr(workbench.output.tempfile, "mkstemp", read_only)
    output = tmp_path / "out"
    assert main(["export", "--store", str(real_store), "--output", str(output)]) == 2
    one_sentence(capsys, "cannot use", str(output), "read-only")


def test_a_store_on_a_read_only_disk_is_one_sentence(real_store, tmp_path, capsys, monkeypatch):
    """SQLite on a read-only medium, simulated by opening the store the way SQLite opens it there (mode=ro)."""
    import sqlite3

    import workbench.store

    copy = tmp_path / "results.sqlite"
    copy.write_bytes(real_store.read_bytes())
    before = copy.read_bytes()
    connect = sqlite3.connect

    def read_only_medium(path, *args, **kwargs):
        if kwargs.get("uri"):
            return connect(path, *args, **kwargs)
        return connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(workbench.store.sqlite3, "connect", read_only_medium)
    assert main(["run", "--problems", "beale", "--store", str(copy), "--quiet"]) == 2
    one_sentence(capsys, "cannot write the result store", str(copy), "read-only disk")
    assert copy.read_bytes() == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod does not stop root from writing")
def test_a_read_only_folder_is_one_sentence(real_store, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main(["run", "--problems", "booth", "--store", str(folder / "s.sqlite"), "--quiet"]) == 2
        one_sentence(capsys, str(folder / "s.sqlite"))
        assert main(["export", "--store", str(real_store), "--output", str(folder / "out")]) == 2
        one_sentence(capsys, str(folder / "out"))
    finally:
        folder.chmod(0o755)


# -- exit codes of runs, bugs and Ctrl-C --------------------------------------------------------------------------


def failing_execute(task, problems):
    from workbench.parallel import _failed

    return _failed(task, "RuntimeError: simulated failure")


def test_run_exits_1_when_a_run_failed_and_report_exits_0(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("workbench.parallel.execute", failing_execute)
    store = tmp_path / "results.sqlite"
    assert main(["run", "--problems", "booth", "--methods", "lbfgs,newton", "--store", str(store), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "2 failed" in captured.out
    assert "2 run(s) ended with status failed" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert main(["run", "--problems", "booth", "--methods", "lbfgs,newton", "--store", str(store), "--quiet"]) == 0
    report = ["report", "--problems", "booth", "--methods", "lbfgs", "--derivatives", "analytic", "--store",
              str(tmp_path / "report.sqlite"), "--output", str(tmp_path / "out"), "--jobs", "1", "--quiet"]  # fmt: skip
    assert main(report) == 0
    assert (tmp_path / "out" / "index.html").exists()


def test_solve_exits_1_when_a_run_failed(capsys, monkeypatch):
    import workbench.runner

    real = workbench.runner.solve

    def solve(problem, method, variant="analytic", **options):
        result = real(problem, method, variant, **options)
        return dataclasses.replace(result, status="failed") if method == "newton" else result

    monkeypatch.setattr(workbench.runner, "solve", solve)
    assert main(["solve", "booth", "--method", "lbfgs,newton"]) == 1
    assert "1 run(s) ended with status failed" in capsys.readouterr().err
    assert main(["solve", "booth", "--method", "lbfgs"]) == 0


def test_an_internal_error_is_one_sentence_exit_3_and_debug_shows_it(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr("workbench.cli.format_table", broken)
    assert main(["list"]) == 3
    one_sentence(capsys, "workbench list: internal error (ZeroDivisionError: simulated bug)", "bug",
                 "run again with --debug")  # fmt: skip
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "list"])
    with pytest.raises(ZeroDivisionError):
        main(["list", "--debug"])


def test_bad_input_with_debug_shows_the_traceback(tmp_path):
    with pytest.raises(NotADirectoryError):
        main(["--debug", "--problems-dir", __file__, "list"])


def test_ctrl_c_exits_130(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("workbench.cli.format_table", interrupted)
    assert main(["methods"]) == 130
    one_sentence(capsys, "interrupted")


# -- numpy's RuntimeWarnings ---------------------------------------------------------------------------------------


def test_runtime_warnings_are_filtered_in_the_cli(tmp_path, recwarn):
    (tmp_path / "overflow.py").write_text(OVERFLOW_PROBLEM)
    assert main(["--problems-dir", str(tmp_path), "check", "overflow", "--random-points", "1"]) == 0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert main(["--debug", "--problems-dir", str(tmp_path), "check", "overflow", "--random-points", "1"]) == 0
    assert [w for w in recwarn if issubclass(w.category, RuntimeWarning)]  # they were there to filter


def test_no_runtime_warning_reaches_the_terminal(tmp_path):
    (tmp_path / "overflow.py").write_text(OVERFLOW_PROBLEM)
    script = textwrap.dedent(
        f"""
        import sys
        from workbench.cli import main
        codes = [main(["--problems-dir", {str(tmp_path)!r}, "check", "overflow", "--random-points", "1"]),
                 main(["--problems-dir", {str(tmp_path)!r}, "run", "--problems", "overflow", "--methods",
                       "lbfgs,sgd", "--derivatives", "analytic,fd-forward", "--jobs", "2", "--quiet",
                       "--store", {str(tmp_path / "s.sqlite")!r}])]
        sys.exit(max(codes))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "RuntimeWarning" not in result.stderr and "overflow encountered" not in result.stderr, result.stderr


def test_the_installed_command_exits_2_with_one_line(tmp_path):
    command = Path(sys.executable).with_name("workbench")
    if not command.exists():
        pytest.skip("the workbench command is not installed beside this Python")
    result = subprocess.run([str(command), "run", "--jobs", "-1"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    expected = "workbench run: --jobs must be a whole number >= 1, got -1 (see workbench run --help)"
    assert result.stderr.strip() == expected
