"""Reports: rendered from a fixture store only; every table row matches a stored run; figures exist;
every link resolves; --from-store runs nothing."""

import csv
import re

import pytest

from workbench.report import write_report
from workbench.report.prepare import default_study, prepare
from workbench.store import Store, load_runs
from workbench.study import MethodSpec, Study


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    store = folder / "results.sqlite"
    study = Study(
        name="fixture",
        problems=["rosenbrock", "saddle", "hs071", "three_hump_camel"],
        methods=[
            "newton",
            "lbfgs",
            "trust-constr",
            MethodSpec("sgd", learning_rate=0.01),
            MethodSpec("bfgs", gtol=1e3),
        ],
        derivatives=["analytic", "fd-forward", "complex-step"],
        options={"max_iterations": 300},
    )
    prepare(study, store, jobs=1, progress=False)
    return store


@pytest.fixture(scope="module")
def rendered(fixture_store, tmp_path_factory):
    output = tmp_path_factory.mktemp("rendered")
    written = write_report(fixture_store, output, jobs=1)
    return output, written


def test_every_table_row_matches_a_stored_run(fixture_store, rendered):
    output, _ = rendered
    runs = load_runs(fixture_store)
    by_key = {(r["problem"], r["method"], r["variant"]): r for r in runs}
    checked = 0
    for path in (output / "tables" / "problems").glob("*-runs.csv"):
        problem = path.name[: -len("-runs.csv")]
        with open(path) as handle:
            for row in csv.DictReader(handle):
                run = by_key[(problem, row["method"], row["variant"])]
                assert row["status"] == run["status"]
                assert int(row["iterations"]) == run["iterations"]
                assert int(row["evaluations"]) == run["evaluations"]
                assert int(row["gradient calls"]) == run["gradient_calls"]
                checked += 1
    applicable = [r for r in runs if r["status"] != "not_applicable"]
    assert checked == len(applicable) > 0


def test_claimed_success_table_lists_exactly_the_disagreements(fixture_store, rendered):
    output, _ = rendered
    runs = load_runs(fixture_store)
    expected = {(r["problem"], r["method"], r["variant"]) for r in runs
                if r["claimed_success"] and r["status"] not in ("converged", "local_minimum")}  # fmt: skip
    with open(output / "tables" / "claimed-but-failed.csv") as handle:
        listed = {(row["problem"], row["method"], row["variant"]) for row in csv.DictReader(handle)}
    assert listed == expected and any(m == "bfgs" for _, m, _ in expected)  # bfgs with gtol 1e3 claims early


def test_figures_are_produced_and_not_trivial(rendered):
    output, written = rendered
    figures = [p for p in written if p.suffix == ".png"]
    names = {p.relative_to(output).as_posix() for p in figures}
    for expected in ("figures/convergence/rosenbrock.png", "figures/trajectories/rosenbrock.png",
                     "figures/sweeps/hs071.png", "figures/accuracy-digits.png",
                     "figures/convergence/hs071.png"):  # fmt: skip
        assert expected in names
    for path in figures:
        assert path.stat().st_size > 8_000, path


def test_every_link_in_markdown_and_html_resolves(rendered):
    output, written = rendered
    pages = [p for p in written if p.suffix in (".md", ".html")]
    assert (output / "index.md").exists() and (output / "index.html").exists()
    pattern = {".md": re.compile(r"\]\(([^)]+)\)"), ".html": re.compile(r'(?:href|src)="([^"]+)"')}
    count = 0
    for page in pages:
        text = page.read_text()
        if page.suffix == ".html":
            assert "<script" not in text and "http" not in text  # self-contained, works offline
        for target in pattern[page.suffix].findall(text):
            assert (page.parent / target).resolve().exists(), f"{page}: {target}"
            count += 1
    assert count > 50


def test_from_store_runs_no_method(fixture_store, tmp_path, monkeypatch):
    import workbench.runner
    from workbench.cli import main

    def forbidden(*args, **kwargs):
        raise AssertionError("--from-store must not run any method")

    monkeypatch.setattr(workbench.runner, "solve", forbidden)
    monkeypatch.setattr("workbench.parallel.execute", forbidden)
    assert (
        main(["report", "--from-store", "--store", str(fixture_store), "--output", str(tmp_path), "--jobs", "1"]) == 0
    )
    assert (tmp_path / "iterations.md").read_text().count("|") > 50


def test_restyling_is_reproducible(fixture_store, tmp_path):
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in write_report(fixture_store, tmp_path / "a")
         if p.suffix in (".md", ".csv")}  # fmt: skip
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in write_report(fixture_store, tmp_path / "b")
         if p.suffix in (".md", ".csv")}  # fmt: skip
    assert a == b


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no result store"):
        write_report(tmp_path / "missing.sqlite", tmp_path)


def test_default_study_covers_the_library_every_method_and_variant():
    study = default_study()
    assert study.problems == ["all"] and len(study.methods) == 17
    assert list(study.derivatives) == ["analytic", "fd-forward", "fd-central", "complex-step", "fd-richardson"]
    report, richardson = study.studies
    assert len(report.methods) == 17 and "fd-richardson" not in report.derivatives
    assert list(richardson.derivatives) == ["fd-richardson"] and "newton" in richardson.methods
    assert "sgd" not in richardson.methods  # first-order methods gain nothing from 13-digit gradients
    assert "fd-optimal" not in study.derivatives  # the teaching baseline reads exact derivatives
    full = default_study(full=True)
    assert "fd-forward+bfgs" in full.derivatives and "fd-richardson" in full.derivatives and full.starts == 3
    only = default_study(derivatives=["analytic", "fd-optimal"], methods=["newton"])
    assert list(only.derivatives) == ["analytic", "fd-optimal"] and list(only.methods) == ["newton"]


def test_checks_are_stored_for_every_problem(fixture_store):
    with Store(fixture_store) as store:
        assert set(store.check_fingerprints()) == {"rosenbrock", "saddle", "hs071", "three_hump_camel"}
        assert set(store.sweeps()) == {"rosenbrock", "saddle", "hs071", "three_hump_camel"}


def test_report_refuses_a_folder_of_other_files_and_deletes_nothing(fixture_store, tmp_path):
    """`--output .` in a clone of the repository once deleted the problem library."""
    from workbench.cli import main

    clone = tmp_path / "clone"
    (clone / "problems").mkdir(parents=True)
    (clone / "problems" / "lecture.py").write_text("# the library")
    (clone / "figures").mkdir()
    (clone / "figures" / "mine.png").write_bytes(b"png")
    before = sorted(p.relative_to(clone) for p in clone.rglob("*"))
    code = main(["report", "--from-store", "--store", str(fixture_store), "--output", str(clone), "--jobs", "1"])
    assert code == 2
    assert sorted(p.relative_to(clone) for p in clone.rglob("*")) == before
    assert (clone / "problems" / "lecture.py").read_text() == "# the library"


def test_report_keeps_a_users_file_beside_it(fixture_store, tmp_path):
    output = tmp_path / "out"
    write_report(fixture_store, output)
    (output / "figures" / "thesis-fig1.png").write_bytes(b"the user's figure")
    (output / "problems" / "notes.md").write_text("the user's notes")
    write_report(fixture_store, output)
    assert (output / "figures" / "thesis-fig1.png").read_bytes() == b"the user's figure"
    assert (output / "problems" / "notes.md").read_text() == "the user's notes"


def test_report_with_force_writes_beside_other_files(fixture_store, tmp_path):
    (tmp_path / "thesis.tex").write_text("\\documentclass{article}")
    with pytest.raises(ValueError, match="--force"):
        write_report(fixture_store, tmp_path)
    written = write_report(fixture_store, tmp_path, force=True)
    assert (tmp_path / "thesis.tex").read_text() == "\\documentclass{article}" and written
