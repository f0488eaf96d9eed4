"""Reproducibility (workbench.reproducibility): one BLAS thread in every run; SciPy's clock-seeded
trust-krylov runs detected; what decides the last bits recorded with each study; fragile outcomes found by
making each run again from x0 + 1 ulp, stored and marked; the report the same bytes, timings apart, when
the same study is run again from scratch, serially or in worker processes."""

import csv
import ctypes
import ctypes.util
import re

import numpy as np
import sympy as sp
from threadpoolctl import threadpool_info, threadpool_limits

import workbench.runner
from workbench import Problem, solve
from workbench.report import write_report
from workbench.report.prepare import prepare
from workbench.reproducibility import CLOCK_SEEDED, TIME_LIMIT, RandWatch, nudge
from workbench.store import Store, environment
from workbench.study import MethodSpec, Study
from workbench.trace import RunResult

x, y = sp.symbols("x y", real=True)
#: Gradient tiny against a Hessian with negative curvature: SciPy's trlib meets the hard case of its
#: trust-region subproblem and calls trlib_eigen_inverse, which seeds rand() with time(NULL).
NEAR_SADDLE = Problem(name="near_saddle", variables=(x, y), objective=x**2 - y**2 + y**4 + x * y / 3, x0=(1e-4, 1e-4))
#: f(x0) - f* = 1 = target exactly: stopped at once from x0, one update from x0 + 1 ulp. Fragile on every
#: IEEE machine: (1 + 2^-52)^2 rounds to 1 + 2^-51 > 1.
EDGE = Problem(name="edge", variables=(x,), objective=x**2, x0=(1.0,), f_star=0.0)
#: 36 updates of x <- 0.8 x from 3 or from 3 + 1 ulp: f = 9 (0.64)^36 = 9.6e-7 is far from the target's edge.
BOWL = Problem(name="bowl", variables=(x,), objective=x**2, x0=(3.0,), f_star=0.0)


def test_nudge_moves_every_component_one_unit_in_the_last_place():
    x0 = np.array([1.0, 0.0, -2.5, 1e300, -1e-300])
    moved = nudge(x0)
    assert np.all(moved > x0)
    assert np.array_equal(np.nextafter(moved, -np.inf), x0)
    assert moved[1] == 5e-324


def test_every_run_uses_one_blas_thread_and_gives_the_others_back(library, monkeypatch):
    inside = []
    judge = workbench.runner.judge

    def spy(*args, **kwargs):  # called inside the run's numeric block
        inside.append({info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"})
        return judge(*args, **kwargs)

    monkeypatch.setattr(workbench.runner, "judge", spy)
    # two threads outside the run (the suite's conftest starts BLAS with one, as workers do)
    with threadpool_limits(limits=2, user_api="blas"):
        before = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
        assert set(before) == {2}
        assert solve(library["rosenbrock"], "trust-exact").status == "converged"
        assert inside == [{1}]
        assert [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"] == before


def test_the_rand_watch_sees_native_code_draw_from_the_c_generator():
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    with RandWatch() as quiet:
        np.linalg.solve(np.eye(3) * 2.0, np.ones(3))
    with RandWatch() as drawn:
        libc.rand()
    assert quiet.used is False and drawn.used is True


def test_scipy_trust_krylov_seeding_rand_from_the_clock_is_marked():
    result = solve(NEAR_SADDLE, "trust-krylov")
    assert result.status == "converged" and result.nondeterminism == CLOCK_SEEDED
    assert solve(NEAR_SADDLE, "trust-exact").nondeterminism is None
    timeout = RunResult.without_run(problem="p", method="m", variant="analytic", options={}, seed=0, x0=(0.0,),
                                    status="timeout", message="hard time limit")  # fmt: skip
    assert timeout.nondeterminism == TIME_LIMIT
    # stopped by the time limit at a point the verdict accepts: converged, and still marked
    solved = Problem(name="solved", variables=(x,), objective=x**2, x0=(0.0,), f_star=0.0)
    stopped = solve(solved, "sgd", time_limit=1e-9)
    assert stopped.status == "converged" and "time limit" in stopped.message
    assert stopped.nondeterminism == TIME_LIMIT
    assert solve(solved, "sgd").nondeterminism is None


def test_the_environment_records_what_decides_the_last_bits(tmp_path):
    facts = environment()
    assert facts["threads_per_run"] == 1 and facts["llvm"]["fast_math"] is False
    assert set(facts["fingerprints"]) == {"blas", "numpy_simd", "libm", "llvm", "llvm_libm"}
    assert all(re.fullmatch(r"[0-9a-f]{12}", v) for v in facts["fingerprints"].values())
    assert facts["fingerprints"] == environment()["fingerprints"]  # the same bits every time
    assert any(b["internal_api"] and b["version"] for b in facts["blas"])  # library, version, kernel
    assert "baseline" in facts["numpy_simd"] and facts["cpu"]["processor"]
    Study(name="env", problems=[BOWL], methods=["sgd"]).run(store=tmp_path / "s.sqlite", progress=False)
    with Store(tmp_path / "s.sqlite", readonly=True) as store:
        assert store.environments()[-1]["fingerprints"] == facts["fingerprints"]


def test_fragile_outcomes_are_found_stored_and_marked(tmp_path):
    store = tmp_path / "results.sqlite"
    study = Study(name="fragile", problems=[EDGE, BOWL], methods=[MethodSpec("sgd", learning_rate=0.1)],
                  options={"target": 1.0, "max_iterations": 200})  # fmt: skip
    prepare(study, store, jobs=1, progress=False)
    with Store(store, readonly=True) as handle:
        runs = {r["problem"]: r for r in handle.runs()}
        rows = handle.reproducibility()
    edge = rows[runs["edge"]["key"]]
    assert runs["edge"]["iterations"] == 0 and edge["fragile"] is True
    assert edge["iterations"] == 1 and edge["capped"] is True  # re-runs stop at the run's iterations + 1
    assert rows[runs["bowl"]["key"]]["fragile"] is False and rows[runs["bowl"]["key"]]["perturbation"]
    output = tmp_path / "report"
    write_report(store, output, jobs=1)
    pivot = (output / "problems" / "edge.md").read_text()
    assert "| sgd | converged \u2020 | 0 |" in pivot
    assert "converged \u2020" not in (output / "problems" / "bowl.md").read_text()
    with open(output / "tables" / "marked-runs.csv") as handle:
        marked = list(csv.DictReader(handle))
    assert [(r["problem"], r["why marked"]) for r in marked] == [
        ("edge", "fragile: from x0 + 1 ulp it needs more than 0 iterations")]  # fmt: skip
    assert "1 of the 2 runs that ran are marked \u2020" in (output / "iterations.md").read_text()


def _outputs(folder):
    """Every Markdown, CSV and HTML file of a report, by path, without the timing page and tables."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.suffix in (".md", ".csv", ".html") and not p.name.startswith("timings")}  # fmt: skip


def test_the_report_is_the_same_bytes_from_two_fresh_stores(tmp_path):
    """The same study from scratch into two stores, serially in this process and in two worker processes:
    the same runs to the last bit, and every page and table the same bytes except the timings."""
    study = Study(name="twice", problems=["rosenbrock", "hs071", "saddle"],
                  methods=["newton", "lbfgs", "slsqp", "trust-constr", MethodSpec("adam", learning_rate=0.01)],
                  derivatives=["analytic", "fd-forward"], options={"max_iterations": 200})  # fmt: skip
    outputs = []
    for jobs in (1, 2):
        store = tmp_path / f"run{jobs}.sqlite"
        prepare(study, store, jobs=jobs, progress=False)
        with Store(store, readonly=True) as handle:
            runs = [{k: r[k] for k in ("key", "status", "iterations", "f", "x", "work")} for r in handle.runs()]
        write_report(store, tmp_path / f"report{jobs}", jobs=1)
        outputs.append((runs, _outputs(tmp_path / f"report{jobs}")))
    (serial, first), (parallel, second) = outputs
    assert serial == parallel
    assert sorted(first) == sorted(second) and len(first) > 30
    assert [name for name in first if first[name] != second[name]] == []
    assert (tmp_path / "report1" / "timings.md").is_file()
    assert (tmp_path / "report1" / "tables" / "timings.csv").is_file()
    assert not any(b"time s" in text for name, text in first.items() if name.endswith(".csv"))


def test_workbench_report_no_fragility_skips_the_check_and_a_later_report_makes_it(tmp_path):
    from workbench.cli import main

    store, output = tmp_path / "results.sqlite", tmp_path / "out"
    argv = ["report", "--problems", "booth", "--methods", "lbfgs,newton", "--derivatives", "analytic", "--store",
            str(store), "--output", str(output), "--jobs", "1", "--quiet", "--force"]  # fmt: skip
    assert main([*argv, "--no-fragility"]) == 0
    with Store(store, readonly=True) as handle:
        assert len(handle.runs()) == 2
        assert [r for r in handle.reproducibility().values() if r["perturbation"]] == []
    assert "2 runs have no fragility check" in (output / "iterations.md").read_text()
    assert main(argv) == 0  # resumes: the runs are stored, the check is made now
    with Store(store, readonly=True) as handle:
        checked = {key: row for key, row in handle.reproducibility().items() if row["perturbation"]}
        assert sorted(checked) == sorted(r["key"] for r in handle.runs())
        assert all(row["fragile"] is False for row in checked.values())  # booth: far from any edge
    assert "no fragility check" not in (output / "iterations.md").read_text()


def test_portable_kernels_pin_blas_and_numpy_only_where_the_cpu_has_avx2_and_fma():
    from workbench.reproducibility import portable_kernels

    avx512 = {"AVX2": True, "FMA3": True, "X86_V3": True, "X86_V4": True, "AVX512_ICL": True, "AVX512_SPR": False}
    assert portable_kernels({}, avx512) == {"OPENBLAS_CORETYPE": "Haswell",
                                            "NPY_DISABLE_CPU_FEATURES": "AVX512_ICL X86_V4"}  # fmt: skip
    assert portable_kernels({}, {"AVX2": True, "FMA3": True, "X86_V3": True}) == {"OPENBLAS_CORETYPE": "Haswell"}
    assert portable_kernels({}, {"AVX2": False, "FMA3": True}) == {}  # an older CPU keeps its own kernels
    assert portable_kernels({}, {}) == {}  # not x86-64
    # the user's own settings are kept, and WORKBENCH_NATIVE_KERNELS turns the pin off
    assert portable_kernels({"OPENBLAS_CORETYPE": "Zen"}, avx512) == {"NPY_DISABLE_CPU_FEATURES": "AVX512_ICL X86_V4"}
    assert portable_kernels({"NPY_ENABLE_CPU_FEATURES": "AVX2"}, avx512) == {"OPENBLAS_CORETYPE": "Haswell"}
    assert portable_kernels({"WORKBENCH_NATIVE_KERNELS": "1"}, avx512) == {}
    assert portable_kernels({"WORKBENCH_NATIVE_KERNELS": "0"}, avx512) != {}


def test_the_workbench_command_runs_with_the_portable_kernels(tmp_path):
    """The console script re-executes itself with the variables portable_kernels names; the study's
    recorded environment shows them and the kernel OpenBLAS then chose."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    from workbench.reproducibility import PORTABLE_BLAS_KERNEL, portable_kernels

    script = Path(sys.executable).with_name("workbench")
    if not script.is_file():
        pytest.skip(f"no console script beside {sys.executable} (the package is not installed with pip)")
    environ = {key: value for key, value in os.environ.items()
               if key not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES",
                              "WORKBENCH_NATIVE_KERNELS")}  # fmt: skip
    expected = portable_kernels(environ)
    store = tmp_path / "s.sqlite"
    command = [str(script), "run", "--problems", "rosenbrock", "--methods", "newton", "--store", str(store)]
    done = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Store(store, readonly=True) as handle:
        recorded = handle.environments()[-1]
    for name, value in expected.items():
        assert recorded["variables"][name] == value
    if "OPENBLAS_CORETYPE" in expected:
        kernels = {library["architecture"] for library in recorded["blas"] if library["internal_api"] == "openblas"}
        assert kernels == {PORTABLE_BLAS_KERNEL}
    else:  # a CPU without AVX2 and FMA: nothing pinned
        assert "OPENBLAS_CORETYPE" not in recorded["variables"]
