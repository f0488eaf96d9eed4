"""The report's training page: the default report trains the data problems beside its grids (the data
study), renders the training curves and a table from the store alone, and every number of the table is
what the stored runs give (recomputed here from load_runs and the stored trace columns, independently of
the page)."""

import csv
import math
import re

import pytest

from workbench.report import write_report
from workbench.report.prepare import default_study, prepare
from workbench.report.training_plan import BATCH_SIZE, DATA_STUDY, EPOCHS, NEWTON_STUDY, RATES, SCHEDULE
from workbench.store import Store, load_runs
from workbench.study import Study

DATA = ("breast_cancer_logistic", "breast_cancer_network")
#: A smaller default report: one library problem, the two data problems, four methods.
METHODS = ["lbfgs", "newton", "sgd", "adam"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("training")
    store = folder / "results.sqlite"
    study = default_study(problems=["rosenbrock", *DATA], methods=METHODS)
    prepare(study, store, jobs=2, progress=False)
    output = folder / "reports"
    written = write_report(store, output, jobs=2)
    return store, output, written


def test_the_default_report_trains_the_data_problems_beside_its_grids(library):
    study = default_study()
    by_name = {s.name: s for s in study.studies}
    data = by_name[DATA_STUDY]
    assert {p.name for p in data.problems} == {n for n, p in library.items() if "data" in p.tags} >= set(DATA)
    tasks = [task for task, _ in data.tasks()]
    mini = [t for t in tasks if t.method in RATES]
    assert {t.method for t in mini} == set(RATES) and {t.method for t in tasks} - set(RATES) == {"lbfgs"}
    for task in mini:  # one tuned rate per method, mini-batches, epochs and the per-epoch decay, resolved
        assert task.options["learning_rate"] == RATES[task.method] and task.options["batch_size"] == BATCH_SIZE
        assert task.options["epochs"] == EPOCHS and task.options["schedule"] == SCHEDULE
    newton = by_name[NEWTON_STUDY]  # Newton where its Hessian is affordable: the logistic regression only
    assert [p.name for p in newton.problems] == ["breast_cancer_logistic"] and newton.methods == ["newton"]
    for name in ("report", "report-richardson"):
        assert not any("data" in p.tags for p in by_name[name].problems)
    only = default_study(problems=["rosenbrock", *DATA], methods=["adam", "trust-exact"])
    assert [t.method for t, _ in only.studies[-1].tasks()] == ["adam", "adam"]  # the chosen methods only
    assert isinstance(default_study(derivatives=["analytic"]), Study)  # a chosen grid: no data study beside it


def _table(output, problem):
    with open(output / "tables" / "training" / f"{problem}.csv") as handle:
        return list(csv.DictReader(handle))


def test_the_table_rows_are_the_stored_runs(trained):
    store, output, _ = trained
    runs = [r for r in load_runs(store) if r["problem"] in DATA]
    with Store(store, readonly=True) as handle:  # the stored columns, metrics included (load_traces leaves blocks out)
        traces = {run["key"]: handle.trace(run["key"]) for run in runs}
        metrics = {name: handle.problems()[name]["metrics"] for name in DATA}
    checked = 0
    for problem in DATA:
        table = _table(output, problem)
        mine = {r["method"]: r for r in runs if r["problem"] == problem}
        assert [row["method"] for row in table] == [m for m in ["sgd", "adam", "lbfgs", "newton"] if m in mine]
        for row in table:
            run = mine[row["method"]]
            trace = traces[run["key"]]
            last = max(i for i, f in enumerate(trace["f"]) if math.isfinite(f))  # the last full measurement
            accuracy = metrics[problem].index("test accuracy")
            loss = metrics[problem].index("test loss")
            assert float(row["final training loss"]) == pytest.approx(run["f"], rel=1e-12)
            assert float(row["final training loss"]) == pytest.approx(trace["f"][-1], rel=1e-12)
            assert float(row["test accuracy"]) == pytest.approx(trace["metrics"][last][accuracy], rel=1e-12)
            assert float(row["test loss"]) == pytest.approx(trace["metrics"][last][loss], rel=1e-12)
            assert float(row["work (passes over the data)"]) == pytest.approx(run["work"], rel=1e-12)
            assert "time (s)" not in row  # wall-clock times are on timings.md only
            assert row["status"] == run["status"]
            mini = run["method"] in RATES
            epochs = int(row["epochs (full batch: iterations)"])
            assert epochs == (EPOCHS if mini else run["iterations"])
            if mini:  # an epoch is one pass: 20 epochs of mini-batches are 20 units of work, ceil(N/B) updates each
                assert run["work"] == pytest.approx(EPOCHS)
                assert run["iterations"] == EPOCHS * math.ceil(455 / BATCH_SIZE)
                assert int(row["rows per gradient"]) == BATCH_SIZE
                assert row["learning rate"] == f"{RATES[run['method']]:g} to {RATES[run['method']] / 8:g}"
                assert [e for e in trace["epoch"] if e is not None] == list(range(1, EPOCHS + 1))
            else:
                assert int(row["rows per gradient"]) == 455 and row["learning rate"] == "none: line search"
            checked += 1
    assert checked == len(runs) == 2 * 3 + 1  # newton on the logistic regression only


def test_the_training_curves_exist_and_the_pages_link_them(trained):
    _, output, written = trained
    text = (output / "training.md").read_text()
    for problem in DATA:
        for quantity in ("loss", "accuracy"):
            figure = output / "figures" / "training" / f"{problem}-{quantity}.png"
            assert figure in written and figure.stat().st_size > 15_000
            assert f"](figures/training/{problem}-{quantity}.png)" in text
    captions = re.findall(r"!\[[^\]]*\]\([^)]+\)\n\n\*([^\n]+)\*", text)
    assert len(captions) == 4 and all("notice" in caption for caption in captions)
    assert "Newton does not run on `breast_cancer_network`" in text
    assert "](training.md)" in (output / "index.md").read_text()
    assert "](training.md)" in (output / "iterations.md").read_text()
    assert 'href="training.html"' in (output / "index.html").read_text()
    for page in [p for p in written if p.suffix in (".md", ".html")]:  # every link and image resolves
        targets = re.findall(r"\]\(([^)]+)\)" if page.suffix == ".md" else r'(?:href|src)="([^"]+)"', page.read_text())
        for target in targets:
            assert (page.parent / target).resolve().exists(), f"{page}: {target}"


def test_the_other_pages_leave_the_data_study_out(trained):
    store, output, _ = trained
    assert not any((output / "problems" / f"{problem}.md").exists() for problem in DATA)
    with open(output / "tables" / "index-pivot.csv") as handle:
        assert {row["method"] for row in csv.DictReader(handle)} <= set(METHODS)
    assert "breast_cancer" not in (output / "iterations.md").read_text()
    with Store(store, readonly=True) as handle:  # no derivative checks: the network's Hessian is out of reach
        assert set(handle.check_fingerprints()) == {"rosenbrock"}


def test_the_training_tables_print_one_number_format_per_column(trained):
    _, output, _ = trained
    formats = {"int": r"-?\d+", "fixed": r"-?\d+\.(\d+)", "scientific": r"-?\d\.(\d*)e[+-]\d+"}
    html = (output / "training.html").read_text()
    tables = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    assert len(tables) == 2
    for table in tables:
        columns: dict[int, set] = {}
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            for k, text in enumerate(re.findall(r'<td class="num">(.*?)</td>', row)):
                found = [(name, len(m.group(1) or "") if m.groups() else 0) for name, pattern in formats.items()
                         if (m := re.fullmatch(pattern, text))]  # fmt: skip
                assert found, f"{text!r} is no number format"
                columns.setdefault(k, set()).add(found[0])
        assert columns and all(len(kinds) == 1 for kinds in columns.values()), columns


def test_training_times_are_on_the_timings_page_and_data_runs_get_no_fragility_check(trained):
    store, output, _ = trained
    runs = {r["key"]: r for r in load_runs(store)}
    data = {key: r for key, r in runs.items() if r["problem"] in DATA}
    with open(output / "tables" / "timings-training.csv") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(data) > 0
    assert sorted(float(row["time s"]) for row in table) == pytest.approx(
        sorted(r["wall_time"] for r in data.values()), abs=1e-4)  # fmt: skip
    with Store(store, readonly=True) as handle:
        checked = {key for key, row in handle.reproducibility().items() if row["perturbation"]}
    assert checked and not checked & set(data)
    ran = {key for key, r in runs.items() if r["status"] not in ("not_applicable", "timeout")}
    assert checked == ran - set(data)
