"""The lesson (``workbench lesson``): every section renders with its figures; the numbers quoted in the
text and tables are the stored runs' numbers (checked against the store, and by tampering with a copy
of the store: the re-rendered text follows the tampered values, so no number can be typed in); every
link resolves; a second run on the same store makes no runs."""

import csv
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

import workbench.runner
from workbench.lesson import write_lesson
from workbench.store import Store

SECTIONS = [f"## {k}. " for k in range(1, 10)]
#: (study, method, extra SQL) of the runs the tamper test changes, and by how much.
TAMPERED = {
    "sgd_at_one_over_l": ("lesson-sgd-rates", "sgd", "json_extract(options, '$.learning_rate') = 0.01", 1000),
    "saddle_escape_sgd": ("lesson-saddle-escape", "sgd", "1", 500),
    "rosenbrock_momentum": ("lesson-momentum-rosenbrock", "momentum", "1", 77),
    "hs071_analytic": ("lesson-hs071", "trust-constr", "variant = 'analytic'", 300),
}


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    output = tmp_path_factory.mktemp("lesson")
    written = write_lesson(output, jobs=2, progress=False)
    return output, written


@pytest.fixture(scope="module")
def markdown(lesson):
    return (lesson[0] / "index.md").read_text()


@pytest.fixture(scope="module")
def runs(lesson):
    with Store(lesson[0] / "lesson.sqlite") as store:
        return store.runs()


def _one(rows, **criteria):
    options = criteria.pop("options", {})
    chosen = [r for r in rows if all(r[k] == v for k, v in criteria.items())
              and all(r["options"].get(k) == v for k, v in options.items())]  # fmt: skip
    assert len(chosen) == 1, (criteria, options, len(chosen))
    return chosen[0]


def _section(markdown: str, number: int) -> str:
    start = markdown.index(f"## {number}. ")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end >= 0 else None]


# -- every section renders ------------------------------------------------------------------------
def test_every_section_has_its_heading_and_figures(lesson, markdown):
    output, written = lesson
    assert (output / "index.md") in written and (output / "index.html") in written
    figures = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", markdown)
    for number, heading in enumerate(SECTIONS, start=1):
        assert heading in markdown, f"section {number} is missing"
        section = _section(markdown, number)
        if number != 9:  # the practical task is a table
            assert re.search(r"!\[[^\]]*\]\(figures/", section), f"section {number} has no figure"
    assert len(figures) == len(set(figures)) >= 15
    for relative in figures:
        path = output / relative
        assert path.exists() and path in written, relative
        with Image.open(path) as image:
            assert image.size[0] >= 600 and image.size[1] >= 250, relative
            if relative.endswith(".gif"):
                assert image.n_frames >= 20, "the race animation has too few frames"
                assert path.stat().st_size > 100_000
            else:
                assert path.stat().st_size > 15_000, relative  # an empty or nearly empty figure is a few kB


def test_every_figure_has_a_one_line_caption(markdown):
    for match in re.finditer(r"!\[([^\]]*)\]\((figures/[^)]+)\)\n\n\*([^\n]+)\*", markdown):
        alt, _, caption = match.groups()
        assert alt == caption and "notice" in caption.lower(), caption
    assert len(re.findall(r"!\[", markdown)) == len(re.findall(r"!\[[^\]]*\]\([^)]+\)\n\n\*[^\n]+\*", markdown))


def test_every_link_resolves(lesson):
    output, _ = lesson
    markdown = (output / "index.md").read_text()
    html = (output / "index.html").read_text()
    ids = set(re.findall(r'id="([^"]+)"', html))
    targets = re.findall(r"\]\(([^)\s]+)\)", markdown) + re.findall(r'(?:href|src)="([^"]+)"', html)
    assert len(targets) > 40
    for target in targets:
        assert not target.startswith(("http:", "https:")), f"external link {target}: the page must work offline"
        if target.startswith("#"):
            assert target[1:] in ids, f"anchor {target} has no heading"
        else:
            assert (output / target).is_file(), f"{target} does not resolve"
    assert "<script" not in html


# -- numbers in the text are the stored numbers ------------------------------------------------------
def test_sgd_at_one_over_l_quotes_the_stored_run(markdown, runs):
    row = _one(runs, study="lesson-sgd-rates", method="sgd", options={"learning_rate": 0.01})
    quoted = re.search(r"At lr = 1/L = 0\.01 SGD reaches f − f∗ ≤ 1e-6 after \*\*(\d+)\*\* updates", markdown)
    assert quoted, "the sentence on SGD at 1/L is missing"
    assert int(quoted.group(1)) == row["iterations"]
    assert row["status"] == "converged"
    diverged = _one(runs, study="lesson-sgd-rates", method="sgd", options={"learning_rate": 0.021})
    assert diverged["status"] == "diverged"
    assert f"with status `diverged` after {diverged['iterations']} updates" in markdown


def test_saddle_numbers_are_the_stored_runs(markdown, runs):
    escape = [r for r in runs if r["study"] == "lesson-saddle-escape"]
    manifold = [r for r in runs if r["study"] == "lesson-saddle-manifold"]
    sgd = _one(escape, method="sgd")
    assert int(re.search(r"it took \*\*(\d+)\*\*", markdown).group(1)) == sgd["iterations"]
    rows = {r["method"]: r for r in escape}
    table = _section(markdown, 1)
    for method, row in rows.items():
        on_line = _one(manifold, method=method)
        assert re.search(rf"\| {method} \| [\d.]+ \| {row['iterations']} \| {row['status']} \| {on_line['status']} "
                         rf"\| {on_line['iterations']} \|", table), method  # fmt: skip


def test_hs071_table_rows_are_the_stored_runs(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "hs071.csv") as handle:
        table = list(csv.DictReader(handle))
    assert [row["derivatives"] for row in table] == ["analytic", "fd-forward", "fd-forward+bfgs"]
    for row in table:
        run = _one(runs, study="lesson-hs071", variant=row["derivatives"])
        assert row["status"] == run["status"]
        assert int(row["iterations"]) == run["iterations"]
        assert int(row["evaluations of f and c"]) == run["evaluations"]
        assert int(row["evaluations of f"]) == run["objective_evaluations"]
        assert float(row["error abs(f − f∗)"]) == pytest.approx(run["f_error"], rel=1e-12)
        assert [float(row[f"x{i}"]) for i in range(1, 5)] == pytest.approx(run["x"], rel=1e-12)
        assert float(row["time (s)"]) == pytest.approx(run["wall_time"], rel=1e-12)


def test_hessian_cost_is_read_from_the_oracle_counts(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "hessian-cost.csv") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) >= 4
    for row in table:
        n = int(row["n"])
        name = f"chained_rosenbrock_{n}"
        newton = _one(runs, study="lesson-hessian-evaluations", problem=name, method="newton")
        gradient = _one(runs, study="lesson-hessian-evaluations", problem=name, method="sgd")
        assert int(row["FD Hessian evaluations (measured)"]) == newton["evaluations"] - gradient["evaluations"]
        assert int(row["FD Hessian evaluations (measured)"]) == 1 + 2 * n * n  # the textbook count, measured
        assert int(row["FD gradient evaluations (2n)"]) == gradient["evaluations"] == 2 * n


def test_multistart_counts_are_the_stored_runs(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "multistart.csv") as handle:
        table = {row["method"]: row for row in csv.DictReader(handle)}
    starts = [r for r in runs if r["problem"] == "three_hump_camel"
              and (r["study"] == "lesson-multistart" or r["start"] == 0)]  # fmt: skip
    for method, row in table.items():
        mine = {r["start"]: r for r in starts if r["method"] == method and r["options"].get("max_iterations") == 3000}
        assert int(row["starts"]) == len(mine) == 12
        assert int(row["starts reaching the global minimum"]) == sum(r["status"] == "converged" for r in mine.values())


def test_studies_table_counts_every_stored_run(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "studies.csv") as handle:
        table = list(csv.DictReader(handle))
    assert sum(int(row["made in this session"]) for row in table) == len(runs)
    assert all(row["study"].startswith("lesson-") for row in table)


# -- a second run makes no runs; its text follows the store -----------------------------------------
def _tamper(path: Path) -> dict[str, dict]:
    """Add to the iteration counts of a few stored runs; return the tampered rows."""
    connection = sqlite3.connect(path)
    changed = {}
    with connection:
        for label, (study, method, where, delta) in TAMPERED.items():
            keys = [k for (k,) in connection.execute(
                f"SELECT key FROM runs WHERE study = ? AND method = ? AND {where}", (study, method))]  # fmt: skip
            assert len(keys) == 1, label
            connection.execute("UPDATE runs SET iterations = iterations + ?, evaluations = evaluations + ? "
                               "WHERE key = ?", (delta, delta, keys[0]))  # fmt: skip
            cursor = connection.execute("SELECT * FROM runs WHERE key = ?", (keys[0],))
            changed[label] = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    connection.close()
    return changed


def test_second_run_makes_no_runs_and_quotes_the_store(lesson, tmp_path, monkeypatch):
    output, _ = lesson
    store = tmp_path / "copy.sqlite"
    shutil.copy(output / "lesson.sqlite", store)
    changed = _tamper(store)
    calls = []
    real = workbench.runner.solve

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(workbench.runner, "solve", counting)
    again = tmp_path / "again"
    written = write_lesson(again, store=store, jobs=1, progress=False)
    assert calls == [], "a second run on a full store must not run anything"
    assert not (again / "lesson.sqlite").exists()
    assert (again / "index.html") in written
    text = (again / "index.md").read_text()
    with open(again / "tables" / "studies.csv") as handle:
        assert all(int(row["made in this session"]) == 0 for row in csv.DictReader(handle))
    sgd = changed["sgd_at_one_over_l"]["iterations"]
    assert f"SGD reaches f − f∗ ≤ 1e-6 after **{sgd}** updates" in text
    assert f"it took **{changed['saddle_escape_sgd']['iterations']}**" in text
    assert f"`momentum` **{changed['rosenbrock_momentum']['iterations']}** updates" in text
    hs071 = changed["hs071_analytic"]
    with open(again / "tables" / "hs071.csv") as handle:
        analytic = next(row for row in csv.DictReader(handle) if row["derivatives"] == "analytic")
    assert int(analytic["iterations"]) == hs071["iterations"]
    assert int(analytic["evaluations of f and c"]) == hs071["evaluations"]
    assert f"Iterations: {hs071['iterations']}, " in text
    assert f"analytic {hs071['evaluations']} (plus" in text


# -- options --------------------------------------------------------------------------------------
def test_languages(tmp_path):
    with pytest.raises(NotImplementedError, match="English"):
        write_lesson(tmp_path, language="ru")
    with pytest.raises(ValueError, match="language"):
        write_lesson(tmp_path, language="de")
    assert not any(tmp_path.iterdir()), "a refused language must not run or write anything"


def test_a_folder_of_other_files_is_refused_before_anything_runs(tmp_path, monkeypatch):
    (tmp_path / "thesis.tex").write_text("mine")
    monkeypatch.setattr(workbench.runner, "solve", lambda *a, **k: pytest.fail("nothing may run"))
    with pytest.raises(ValueError, match="did not write"):
        write_lesson(tmp_path, jobs=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_schedules_are_read_from_the_stored_traces(lesson, runs):
    """The learning rates in the schedule table are the ones the runs recorded in their traces."""
    output, _ = lesson
    with open(output / "tables" / "schedules.csv") as handle:
        table = {row["schedule"]: row for row in csv.DictReader(handle)}
    with Store(output / "lesson.sqlite") as store:
        for schedule, row in table.items():
            run = _one(runs, study="lesson-schedules", seed=0, options={"schedule": schedule})
            rates = store.trace(run["key"])["learning_rate"]
            assert float(row["first learning rate"]) == pytest.approx(rates[1], rel=1e-12)
            assert float(row["last learning rate"]) == pytest.approx(rates[-1], rel=1e-12)
    assert len(table) == 4


def test_numbers_are_written_compactly():
    from workbench.lesson.text import join, number, ratio

    assert number(653) == "653" and number(2 * 10**12 + 1) == "2e12"
    assert number(1e-6) == "1e-6" and number(-0.153) == "−0.153" and number(0.29864, 5) == "0.29864"
    assert ratio(131073, 513) == "256x" and ratio(5, 2) == "2.5x" and ratio(1, 0) == "n/a"
    assert join([]) == "none" and join(["a", "b", "c"]) == "a, b and c"
