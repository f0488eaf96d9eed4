"""Studies: the grid, the store, resuming after SIGKILL and Ctrl-C, parallel and Dask runs,
failures stored as data, export."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import sympy as sp

from workbench import Problem
from workbench.progress import Progress
from workbench.store import Store, load_runs, load_traces
from workbench.study import MethodSpec, Study, start_points

x, y = sp.symbols("x y", real=True)
QUADRATIC = Problem(name="quadratic", variables=(x, y), objective=(x - 1) ** 2 + 10 * (y + 2) ** 2, x0=(0, 0),
                    f_star=0.0, x_star=(1, -2))  # fmt: skip

SMALL = dict(
    name="small",
    problems=["rosenbrock", "booth", "ill_conditioned_quadratic"],
    methods=["newton", "lbfgs", MethodSpec("sgd", learning_rate=[1e-3, 1e-2], max_iterations=500)],
    derivatives=["analytic", "fd-forward"],
    starts=2,
)


def comparable(rows):
    return {r["key"]: (r["status"], r["iterations"], json.dumps(r["counts"], sort_keys=True), r["x"]) for r in rows}


def assert_same_results(a, b):
    assert set(a) == set(b)
    for key in a:
        sa, ia, ca, xa = a[key]
        sb, ib, cb, xb = b[key]
        assert (sa, ia, ca) == (sb, ib, cb), key
        np.testing.assert_allclose(xa, xb, rtol=0, atol=1e-12)


def test_grid_expands_methods_options_seeds_and_starts():
    study = Study(**{**SMALL, "seeds": [0, 1]})
    tasks = study.tasks()
    # 3 problems x (newton + lbfgs + 2 sgd rates) x 2 seeds x 2 starts x 2 variants
    assert len(tasks) == 3 * 4 * 2 * 2 * 2
    keys = [t.key for t, _ in tasks]
    assert len(set(keys)) == len(keys)
    assert [t.key for t, _ in Study(**{**SMALL, "seeds": [0, 1]}).tasks()] == keys  # stable
    assert {t.options.get("learning_rate") for t, _ in tasks if t.method == "sgd"} == {1e-3, 1e-2}


def test_unknown_options_fail_before_anything_runs(tmp_path):
    study = Study(problems=["booth"], methods=[MethodSpec("sgd", learning_rat=0.1)])
    with pytest.raises(TypeError, match="learning_rate"):
        study.run(store=tmp_path / "s.sqlite")
    assert not (tmp_path / "s.sqlite").exists() or Store(tmp_path / "s.sqlite").keys() == set()


def test_start_points_are_seeded_by_name_and_respect_bounds(library):
    hs071 = library["hs071"]
    first = start_points(hs071, 4, seed=3)
    assert first[0] == tuple(hs071.x0) and first == start_points(hs071, 4, seed=3)
    assert first != start_points(hs071, 4, seed=4)
    for point in first[1:]:
        assert all(1 <= v <= 5 for v in point)


def test_store_round_trip_and_resume(tmp_path):
    path = tmp_path / "results.sqlite"
    study = Study(**SMALL)
    first = study.run(store=path, progress=False)
    assert first.ran == first.planned and first.resumed == 0
    again = study.run(store=path, progress=False)
    assert again.ran == 0 and again.resumed == first.planned
    with Store(path) as store:
        rows = store.runs()
        assert len(rows) == first.planned
        key = rows[0]["key"]
        result = store.result(key)
        assert result.iterations == rows[0]["iterations"] and len(result.trace) == result.iterations + 1
        assert store.environments()[0]["numpy"] == np.__version__
    rerun = study.run(store=path, rerun=True, progress=False)
    assert rerun.ran == first.planned


def test_parallel_and_serial_studies_give_the_same_results(tmp_path):
    study = Study(**SMALL)
    study.run(store=tmp_path / "serial.sqlite", progress=False)
    study.run(store=tmp_path / "parallel.sqlite", jobs=2, progress=False)
    assert_same_results(
        comparable(load_runs(tmp_path / "serial.sqlite")), comparable(load_runs(tmp_path / "parallel.sqlite"))
    )


def test_dask_local_cluster_gives_the_same_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    study = Study(**{**SMALL, "problems": ["booth", "rosenbrock"], "starts": 1})
    study.run(store=tmp_path / "serial.sqlite", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            study.run(store=tmp_path / "dask.sqlite", scheduler=client, progress=False)
    assert_same_results(
        comparable(load_runs(tmp_path / "serial.sqlite")), comparable(load_runs(tmp_path / "dask.sqlite"))
    )


def test_failures_are_stored_and_the_rest_of_the_study_completes(tmp_path, library):
    lecture = __import__("workbench.discovery", fromlist=["x"]).load_problem_file(
        __import__("workbench.discovery", fromlist=["x"]).builtin_folder() / "lecture.py"
    )
    big = lecture.chained_rosenbrock(1500)  # compiling it takes longer than the hard limit below
    outside = Problem(name="outside", variables=(x, y), objective=sp.log(x) + y**2, x0=(-1, 0))  # f(x0) is NaN
    study = Study(
        problems=[QUADRATIC, library["ill_conditioned_quadratic"], big, outside],
        methods=[
            "lbfgs",
            MethodSpec("sgd", learning_rate=0.5),  # diverges on the quadratic: a NaN / run-off run
            "trust-exact",
        ],
        options={},
    )
    path = tmp_path / "failures.sqlite"
    summary = study.run(store=path, jobs=2, hard_timeout=0.5, progress=False)
    rows = {(r["problem"], r["method"]): r for r in load_runs(path)}
    assert summary.ran == len(rows) == 12
    assert rows[("quadratic", "lbfgs")]["status"] == "converged"
    assert rows[("ill_conditioned_quadratic", "sgd")]["status"] == "diverged"
    for method in ("lbfgs", "sgd", "trust-exact"):
        assert rows[("outside", method)]["status"] == "failed"
        assert "f(x0) = nan is not finite" in rows[("outside", method)]["message"]
    assert rows[(big.name, "lbfgs")]["status"] == "timeout"
    assert "hard time limit" in rows[(big.name, "lbfgs")]["message"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (MethodSpec("sgd", learning_rate="abc"), "learning_rate must be a real number"),
        (MethodSpec("sgd", learning_rate=-1), "learning_rate must be > 0"),
        (MethodSpec("sgd", schedule="foo"), "unknown schedule 'foo'"),
        (MethodSpec("sgd", learning_rate=[0.1, "abc"]), "learning_rate must be a real number"),
        (MethodSpec("adam", beta1=1.5), "beta1 must be in"),
        (MethodSpec("trust-exact", x0=[float("nan"), 0.0]), "not finite"),
        (MethodSpec("lbfgs", max_iterations=0), "max_iterations must be >= 1"),
    ],
)
def test_bad_option_values_are_rejected_before_anything_is_stored(tmp_path, spec, message):
    path = tmp_path / "bad.sqlite"
    with pytest.raises((TypeError, ValueError), match=message):
        Study(problems=[QUADRATIC], methods=[spec]).run(store=path, progress=False)
    assert not path.exists() or load_runs(path) == []


def test_a_misspelled_study_option_is_an_error():
    with pytest.raises(TypeError, match="no method of the study takes option 'learing_rate'"):
        Study(problems=[QUADRATIC], methods=["sgd"], options={"learing_rate": 0.1}).tasks()


def test_time_limit_per_run_is_a_stored_status(tmp_path, library):
    study = Study(problems=["rosenbrock"], methods=[MethodSpec("sgd", learning_rate=1e-4)],
                  options={"time_limit": 0.05, "max_iterations": 10**7})  # fmt: skip
    study.run(store=tmp_path / "t.sqlite", progress=False)
    (row,) = load_runs(tmp_path / "t.sqlite")
    assert row["status"] == "timeout" and row["iterations"] > 0


SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    warnings.simplefilter("ignore")
    from workbench.study import MethodSpec, Study
    if __name__ == "__main__":
        study = Study(name="killable", problems=["tag:lecture"],
                      methods=["lbfgs", "bfgs", MethodSpec("sgd", learning_rate=[1e-3, 2e-3], max_iterations=1000)],
                      derivatives=["analytic", "fd-forward", "fd-central"])
        summary = study.run(store=sys.argv[1], jobs=int(sys.argv[2]), progress=False)
        print(summary.text())
        sys.exit(130 if summary.interrupted else 0)
    """
)


def _stored(path):
    try:
        with sqlite3.connect(path, timeout=5) as connection:
            return connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _start(tmp_path, store, jobs=1):
    script = tmp_path / "study_script.py"
    script.write_text(SCRIPT)
    return subprocess.Popen([sys.executable, str(script), str(store), str(jobs)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def _wait_for_runs(path, count, process, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        if _stored(path) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the study did not store {count} runs in time (exit {process.poll()})")


@pytest.mark.slow
def test_sigkill_mid_study_loses_only_runs_in_flight_and_resumes(tmp_path):
    killed, clean = tmp_path / "killed.sqlite", tmp_path / "clean.sqlite"
    process = _start(tmp_path, killed)
    _wait_for_runs(killed, 15, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = _stored(killed)
    assert 15 <= partial
    assert _start(tmp_path, killed).wait() == 0  # resume
    assert _start(tmp_path, clean).wait() == 0  # uninterrupted
    resumed = load_runs(killed)
    keys = [r["key"] for r in resumed]
    assert len(keys) == len(set(keys)) == len(load_runs(clean)) > partial
    assert_same_results(comparable(resumed), comparable(load_runs(clean)))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_keeps_finished_runs(tmp_path):
    store = tmp_path / "interrupted.sqlite"
    process = _start(tmp_path, store)
    _wait_for_runs(store, 5, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted:" in err and "kept" in err
    kept = _stored(store)
    assert kept >= 5
    rows = load_runs(store)
    assert len({r["key"] for r in rows}) == kept


def test_export_and_pandas_helpers(tmp_path):
    from workbench.cli import main

    path = tmp_path / "e.sqlite"
    Study(problems=["booth"], methods=["newton", "lbfgs"]).run(store=path, progress=False)
    assert main(["export", "--store", str(path), "--output", str(tmp_path / "out"), "--format", "json"]) == 0
    runs = json.loads((tmp_path / "out" / "runs.json").read_text())
    assert {r["method"] for r in runs} == {"newton", "lbfgs"}
    traces = load_traces(path)
    assert {t["method"] for t in traces} == {"newton", "lbfgs"} and traces[0]["k"] == 0
    assert main(["export", "--store", str(path), "--output", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "runs.csv").read_text().startswith("key,study,problem")
    pandas = pytest.importorskip("pandas")
    frame = load_runs(path, as_frame=True)
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 2


def test_cli_run_with_a_toml_study_file_and_overrides(tmp_path, capsys):
    from workbench.cli import main

    study_file = tmp_path / "study.toml"
    study_file.write_text(textwrap.dedent("""
        name = "from-toml"
        problems = ["booth", "rosenbrock"]
        derivatives = ["analytic"]
        [methods.sgd]
        learning_rate = [0.001, 0.01]
        max_iterations = 200
        [methods.newton]
    """))  # fmt: skip
    store = tmp_path / "toml.sqlite"
    assert main(["run", "--study", str(study_file), "--store", str(store), "--quiet"]) == 0
    assert "6 runs made" in capsys.readouterr().out
    assert (
        main(["run", "--study", str(study_file), "--store", str(store), "--derivatives", "fd-central", "--quiet"]) == 0
    )
    rows = load_runs(store)
    assert len(rows) == 12 and {r["study"] for r in rows} == {"from-toml"}


def test_progress_is_silent_off_a_terminal_and_counts_statuses():
    import io

    stream = io.StringIO()
    bar = Progress(3, stream=stream)
    for status in ("converged", "failed", "converged"):
        bar.update(status)
    bar.close()
    assert stream.getvalue() == "" and bar.statuses["converged"] == 2
    forced = Progress(2, stream=stream, enabled=True)
    forced.update("converged")
    forced.update("timeout")
    assert "2/2 runs, 1 failed" in stream.getvalue()
