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


def test_default_study_covers_the_library_every_method_and_variant(library):
    study = default_study()
    report, richardson, *data = study.studies  # the data study: tests/test_training_report.py
    names = {problem.name for problem in report.problems}
    assert names == {name for name, problem in library.items() if "data" not in problem.tags}
    assert {problem.name for problem in richardson.problems} == names
    assert list(study.derivatives) == ["analytic", "fd-forward", "fd-central", "complex-step", "fd-richardson"]
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


def test_problem_names_that_slug_alike_get_pages_of_their_own(tmp_path):
    import sympy as sp

    from workbench import Problem
    from workbench.report.pages import file_name

    x, y = sp.symbols("x y", real=True)
    names = ["a b", "a/b", "a_b", "A_B"]
    problems = [Problem(name=name, variables=(x, y), objective=(x - k) ** 2 + y**2, x0=(0, 0), f_star=0.0,
                        x_star=(k, 0)) for k, name in enumerate(names)]  # fmt: skip
    assert len({file_name(name).lower() for name in names}) == len(names)  # unique, on case-insensitive disks too
    store = tmp_path / "results.sqlite"
    Study(name="names", problems=problems, methods=["lbfgs"]).run(store=store, progress=False)
    output = tmp_path / "out"
    written = write_report(store, output, jobs=1)
    pages = sorted((output / "problems").glob("*.md"))
    assert len(pages) == len(names)
    titles = {page.read_text().splitlines()[0].lstrip("# ").strip() for page in pages}
    assert titles == set(names)
    figures = [p for p in written if "convergence" in p.parts]
    assert len(figures) == len(names) == len(set(figures))
    index = (output / "index.md").read_text()
    for name in names:
        link = f"problems/{file_name(name)}.md"
        assert link in index and (output / link).read_text().startswith(f"# {name}")


# -- the index: the answers at a glance -------------------------------------------------------------------


def _csv(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


def test_the_index_pivot_is_what_the_stored_runs_give(fixture_store, rendered):
    """Recomputed here from load_runs alone: success % per method and variant, and the lower medians of
    iterations and work over the problems every variant of the method solves."""
    import statistics

    output, _ = rendered
    runs = load_runs(fixture_store)
    variants = sorted({r["variant"] for r in runs}, key=["analytic", "fd-forward", "complex-step"].index)
    table = {row["method"]: row for row in _csv(output / "tables" / "index-pivot.csv")}
    assert set(table) == {r["method"] for r in runs}
    for method, row in table.items():
        mine = {v: [r for r in runs if r["method"] == method and r["variant"] == v and r["status"] != "not_applicable"]
                for v in variants}  # fmt: skip
        solved = [{(r["problem"], r["seed"], r["start"]) for r in rs if r["status"] == "converged"}
                  for rs in mine.values() if rs]  # fmt: skip
        common = set.intersection(*solved)
        assert int(row["problems all variants solve"]) == len({p for p, _, _ in common})
        for v, rs in mine.items():
            if not rs:
                assert row[f"{v} success %"] == ""
                continue
            assert int(row[f"{v} success %"]) == round(100 * sum(r["status"] == "converged" for r in rs) / len(rs))
            shared = [r for r in rs if r["status"] == "converged" and (r["problem"], r["seed"], r["start"]) in common]
            expected = statistics.median_low([r["iterations"] for r in shared]) if shared else ""
            assert row[f"{v} median iterations"] == str(expected)
            expected = statistics.median_low([r["work"] for r in shared]) if shared else ""
            assert row[f"{v} median work"] == str(expected)
    assert any(row["problems all variants solve"] not in ("", "0") for row in table.values())


def test_the_index_states_the_limits_and_the_accuracy_headline(fixture_store, rendered):
    output, _ = rendered
    text = (output / "index.md").read_text()
    limits = text.index("Limits of this study")
    assert limits < text.index("Which derivative variant is accurate?") < text.index("How many iterations")
    assert "at most 300 iterations" in text[limits:limits + 300]  # the fixture's max_iterations, read from the store
    with Store(fixture_store) as store:
        checks = store.checks()
    worst: dict = {}
    for row in checks:
        if row["point"].startswith("random") and row["digits"] is not None:
            key = (row["problem"], row["quantity"], row["variant"])
            worst[key] = min(worst.get(key, 99.0), row["digits"])
    headline = {row["variant"]: row for row in _csv(output / "tables" / "index-accuracy.csv")}
    for variant, row in headline.items():
        gradient = [d for (_, q, v), d in worst.items() if q == "gradient" and v == variant]
        assert float(row["gradient worst digits"]) == round(min(gradient), 1)
        assert int(row["gradient problems"]) == len(gradient) == 4
    html = (output / "index.html").read_text()
    assert 'src="figures/variant-profile.png"' in html and 'href="accuracy.html"' in html
    assert 'href="iterations.html"' in html and 'href="problems/hs071.html"' in html


def test_the_index_links_the_lesson_only_when_it_is_there(fixture_store, tmp_path):
    import json

    output = tmp_path / "reports"
    write_report(fixture_store, output)
    assert "lesson/index" not in (output / "index.md").read_text()
    lesson = output / "lesson"
    lesson.mkdir()
    for name in ("index.md", "index.html"):
        (lesson / name).write_text("the lesson")
    (lesson / ".workbench-manifest.json").write_text(json.dumps({"tool": "workbench", "kind": "lesson",
                                                                  "files": ["index.md", "index.html"]}))  # fmt: skip
    write_report(fixture_store, output)
    assert "](lesson/index.md)" in (output / "index.md").read_text()
    assert 'href="lesson/index.html"' in (output / "index.html").read_text()
    from workbench.lesson.page import _report_link, report_index

    assert report_index(lesson) and not report_index(tmp_path / "elsewhere" / "lesson")
    assert (lesson / _report_link("en")).resolve() == (output / "index.md").resolve()
    assert (lesson / "ru" / _report_link("ru")).resolve() == (output / "index.md").resolve()


def test_long_lists_are_folded_with_their_count_and_csv(fixture_store, rendered):
    output, _ = rendered
    html = (output / "iterations.html").read_text()
    claimed = len(_csv(output / "tables" / "claimed-but-failed.csv"))
    folded = re.findall(r"<details><summary>(.*?)</summary>(.*?)</details>", html, re.S)
    summaries = {summary: body for summary, body in folded}
    body = summaries[f"The {claimed} runs, one per row"]
    assert 'href="tables/claimed-but-failed.csv"' in body and body.count("<tr>") == claimed + 1
    assert any('href="tables/local-minimum-stops.csv"' in body for body in summaries.values())
    # the limits come first, the folded lists after the pivot and the profiles
    assert html.index("Limits of this study") < html.index("<details>")
    assert html.index("figures/performance-work") < html.index("claimed-but-failed.csv")
    problem = (output / "problems" / "hs071.html").read_text()
    assert re.search(r"<details><summary>Every run with its counts.*?hs071-runs\.csv.*?</details>", problem, re.S)


NUMBER_FORMATS = {
    "int": re.compile(r"^-?\d+$"),
    "fixed": re.compile(r"^-?\d+\.(\d+)$"),
    "scientific": re.compile(r"^-?\d\.(\d*)e[+-]\d+$"),
}


def _format_of(text):
    for name, pattern in NUMBER_FORMATS.items():
        match = pattern.match(text)
        if match:
            return name, len(match.group(1)) if match.groups() else 0
    return None


def test_one_number_format_per_column_and_never_minus_zero(rendered):
    output, written = rendered
    checked = 0
    for page in (p for p in written if p.suffix == ".html"):
        for table in re.findall(r"<tbody>(.*?)</tbody>", page.read_text(), re.S):
            columns: dict[int, set] = {}
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
                for k, (kind, text) in enumerate(re.findall(r'<td(?: class="(\w+)")?>(.*?)</td>', row, re.S)):
                    if kind != "num" or text in ("", "nan", "inf", "-inf"):
                        continue
                    assert not re.match(r"^-0(\.0*)?(e[+-]\d+)?$", text), f"{page}: -0 printed"
                    found = _format_of(text)
                    assert found is not None, f"{page}: {text!r} is no number format"
                    columns.setdefault(k, set()).add(found)
                    checked += 1
            for k, formats in columns.items():
                assert len(formats) == 1, f"{page}: column {k} mixes formats {formats}"
    assert checked > 500


def test_format_column_picks_one_format():
    from workbench.table import format_column

    assert format_column([1611, 1420.0, None]) == ["1611", "1420", ""]
    assert format_column([-0.0, 7.9, 16.0]) == ["0.0", "7.9", "16.0"]
    assert format_column([2.2e-11, 3.0, 0.0]) == ["2.20e-11", "3.00e+00", "0.00e+00"]
    assert format_column([1.0234, 300.0]) == ["1.02", "300.00"]
    assert format_column(["text", float("nan"), -0.0]) == ["text", "nan", "0"]


def test_workbench_list_prints_f_star_with_enough_digits(capsys):
    from workbench.cli import main

    assert main(["list", "--tag", "hs"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("hs071 "))
    assert "17.0140172891563" in line
