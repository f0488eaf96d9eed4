"""The lesson's runs, declared as one :class:`~workbench.study.Study` per question, and how they are run.

Every number the lesson prints comes from these studies' stored runs (or from the error-versus-step
sweeps stored beside them); nothing is run while the pages are written. A study's runs are found
again by their keys (``Study.tasks``), so a run two studies share (same problem, method, options,
variant and seed) is stored once and read by both.

``declare(problems)`` returns the studies by name; ``run_lesson(store, problems, jobs=..)`` runs what
the store lacks and returns each study's summary; ``ensure_sweeps`` stores the two sweeps and
``ensure_facts`` the numbers about the problems the text quotes (curvatures, an exact gradient and
Hessian), so that the sections render from the store alone.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.lesson.plan import (
    BATCH_SIZES,
    BROWN,
    BROWN_UNSCALED,
    DATA_EPOCHS,
    DATA_PROBLEM,
    DATA_RATE,
    DATA_SEEDS,
    DECAY_BATCH,
    EPOCH_DECAY,
    ESCAPE_TARGET,
    GRADIENT_CHECK,
    HESSIAN_SIZES,
    NOISE_LEVELS,
    NOISE_SEEDS,
    RACE_RATES,
    RATE_FACTORS,
    SCHEDULE_RATE,
    SCHEDULES,
    SPREAD_DRAWS,
    SPREAD_SEED,
    SPREAD_SIZES,
    SWEEPS,
    TARGET,
    hessian_family_name,
)
from workbench.lesson.problems import curvatures
from workbench.problem import Problem
from workbench.progress import Progress, instant_runs
from workbench.store import Store
from workbench.study import MethodSpec, Study, StudySummary
from workbench.variants import PRACTICAL_VARIANTS

__all__ = [
    "LessonStudy",
    "declare",
    "ensure_facts",
    "ensure_sweeps",
    "run_lesson",
    "sweep_point",
    "training_facts",
]

@dataclasses.dataclass(frozen=True)
class LessonStudy:
    """A study and whether it is worth worker processes (``parallel``; small studies run in this
    process, where compiled problems stay warm from one study to the next)."""

    study: Study
    parallel: bool = False


def _specs(rates: dict[str, float], **options: Any) -> list[MethodSpec]:
    return [MethodSpec(method, learning_rate=rate, **options) for method, rate in rates.items()]


def declare(problems: dict[str, Problem]) -> dict[str, LessonStudy]:
    """The lesson's studies by name, in the order the sections use them (module docstring)."""
    p = problems
    quadratic = p["ill_conditioned_quadratic"]
    largest = float(curvatures(quadratic)[-1])
    adaptive = {"sgd": 0.01, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01, "adadelta": 1.0}
    family = [p[hessian_family_name(n)] for n in HESSIAN_SIZES]
    studies = [
        # 1. pitfalls
        LessonStudy(Study(name="lesson-sgd-rates", problems=[quadratic],
                          methods=[MethodSpec("sgd", learning_rate=[f / largest for f in RATE_FACTORS])],
                          options={"target": TARGET, "max_iterations": 3000})),
        LessonStudy(Study(name="lesson-local-minimum", problems=[p["three_hump_camel"]],
                          methods=[*_specs({"sgd": 0.01, "momentum": 0.01, "adam": 0.01}), "lbfgs", "newton"],
                          options={"max_iterations": 3000})),
        LessonStudy(Study(name="lesson-saddle-escape", problems=[p["saddle"]], methods=_specs(RACE_RATES),
                          options={"target": ESCAPE_TARGET, "max_iterations": 3000})),
        LessonStudy(Study(name="lesson-saddle-manifold", problems=[p["saddle"]],
                          methods=_specs(RACE_RATES, x0=[1.0, 0.0]), options={"max_iterations": 1000})),
        LessonStudy(Study(name="lesson-monkey-saddle", problems=[p["monkey_saddle"]],
                          methods=_specs({m: RACE_RATES[m] for m in ("sgd", "momentum", "nesterov", "adam")},
                                         x0=[[0.5, 0.001], [0.3, 0.0]]),
                          options={"max_iterations": 2000})),
        LessonStudy(Study(name="lesson-noise", problems=[quadratic],
                          methods=[MethodSpec("sgd", learning_rate=0.01, gradient_noise=list(NOISE_LEVELS))],
                          seeds=NOISE_SEEDS, options={"max_iterations": 1000})),
        # 2. momentum
        LessonStudy(Study(name="lesson-momentum-quadratic", problems=[quadratic],
                          methods=_specs({"sgd": 0.01, "momentum": 0.01, "nesterov": 0.01}),
                          options={"target": TARGET, "max_iterations": 3000})),
        LessonStudy(Study(name="lesson-momentum-rosenbrock", problems=[p["rosenbrock"]],
                          methods=_specs({"sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3}),
                          options={"target": TARGET, "max_iterations": 20000}), parallel=True),
        # 3. adaptive steps
        LessonStudy(Study(name="lesson-adaptive", problems=[quadratic], methods=_specs(adaptive),
                          options={"target": TARGET, "max_iterations": 3000})),
        # 4. the race
        LessonStudy(Study(name="lesson-race", problems=[p["beale"], p["saddle"]], methods=_specs(RACE_RATES),
                          options={"max_iterations": 300})),
        # 5. learning-rate decay
        LessonStudy(Study(name="lesson-schedules", problems=[quadratic],
                          methods=[MethodSpec("sgd", learning_rate=SCHEDULE_RATE, schedule=list(SCHEDULES),
                                              gradient_noise=1.0)],
                          seeds=NOISE_SEEDS, options={"max_iterations": 1000})),
        # 6. second order
        LessonStudy(Study(name="lesson-newton-quadratic", problems=[quadratic],
                          methods=[MethodSpec("newton", pure=True), "lbfgs", MethodSpec("sgd", learning_rate=0.01)],
                          options={"target": TARGET, "max_iterations": 3000})),
        LessonStudy(Study(name="lesson-newton-rosenbrock", problems=[p["rosenbrock"]],
                          methods=["newton", MethodSpec("newton", pure=True), "lbfgs", "bfgs"])),
        LessonStudy(Study(name="lesson-hessian-evaluations", problems=family,
                          methods=[MethodSpec("newton", pure=True), MethodSpec("sgd", learning_rate=1e-4)],
                          derivatives=["fd-central"], options={"max_iterations": 1}), parallel=True),
        LessonStudy(Study(name="lesson-hessian-time", problems=family,
                          methods=[MethodSpec("newton", pure=True), MethodSpec("sgd", learning_rate=1e-4)],
                          options={"max_iterations": 8}), parallel=True),
        # 7. multi-start
        LessonStudy(Study(name="lesson-multistart", problems=[p["three_hump_camel"]],
                          methods=["lbfgs", MethodSpec("sgd", learning_rate=0.01)], starts=12, spread=1.0,
                          options={"max_iterations": 3000}), parallel=True),
        # 8. derivative accuracy and the optimizer: textbook steps, then steps scaled by typical_x
        LessonStudy(Study(name="lesson-brown", problems=[p[BROWN_UNSCALED]],
                          methods=["bfgs", "lbfgs", "trust-exact", "newton"],
                          derivatives=list(PRACTICAL_VARIANTS)), parallel=True),
        LessonStudy(Study(name="lesson-brown-scaled", problems=[p[BROWN]],
                          methods=["bfgs", "lbfgs", "trust-exact", "newton"],
                          derivatives=["fd-forward"]), parallel=True),
        # 9. the practical task
        LessonStudy(Study(name="lesson-hs071", problems=[p["hs071"]], methods=["trust-constr"],
                          derivatives=["analytic", "fd-forward", "fd-forward+bfgs"])),
        # 10. training from data: batch sizes, then a per-epoch decay (its constant runs shared with the first)
        LessonStudy(Study(name="lesson-batch-sizes", problems=[p[DATA_PROBLEM]],
                          methods=[MethodSpec("sgd", learning_rate=DATA_RATE, batch_size=list(BATCH_SIZES),
                                              epochs=DATA_EPOCHS)], seeds=DATA_SEEDS)),
        LessonStudy(Study(name="lesson-epoch-decay", problems=[p[DATA_PROBLEM]],
                          methods=[MethodSpec("sgd", learning_rate=DATA_RATE, batch_size=DECAY_BATCH,
                                              epochs=DATA_EPOCHS, schedule=["constant", EPOCH_DECAY])],
                          seeds=DATA_SEEDS)),
    ]  # fmt: skip
    return {entry.study.name: entry for entry in studies}


def run_lesson(
    store: Store,
    studies: dict[str, LessonStudy],
    *,
    jobs: int = 1,
    progress: bool | None = None,
    on_summary: Callable[[str, StudySummary], None] | None = None,
) -> dict[str, StudySummary]:
    """Run (or resume) every study into ``store``; ``parallel`` studies on ``jobs`` processes. One progress
    line for all of them (``lesson runs``, with the study in progress; a failed run is no failure here:
    many of the lesson's runs are meant to fail), shown on a terminal when ``progress`` is None."""
    summaries = {}
    stored = store.keys()
    plans = {}
    for name, entry in studies.items():
        problems = {p.fingerprint(): p for p in entry.study.resolve_problems().values()}
        tasks = {task.key: task for task, _ in entry.study.tasks(problems={p.name: p for p in problems.values()})}
        plans[name] = ({key: task for key, task in tasks.items() if key not in stored}, problems)
        stored = stored | set(tasks)
    pending = {key: (task, plans[name][1]) for name in plans for key, task in plans[name][0].items()}
    bar = Progress(len(pending), enabled=progress, phase="lesson runs", failures=False,
                   instant=sum(instant_runs([task], problems) for task, problems in pending.values()))  # fmt: skip
    try:
        for name, entry in studies.items():
            # no worker processes for a study with nothing left to run (they would start and stop idle)
            workers = jobs if entry.parallel and plans[name][0] else 1
            bar.context = name
            summary = entry.study.run(store=store, jobs=workers, progress=bar if progress is not False else False)
            if summary.interrupted:
                raise KeyboardInterrupt(f"study {name} interrupted; run the lesson again to finish it")
            summaries[name] = summary
            if on_summary is not None:
                on_summary(name, summary)
    finally:
        bar.close()
    return summaries


def sweep_point(problem: Problem) -> np.ndarray:
    """Where the gradient error is swept: a seeded random point for a well-scaled problem; for Brown's
    badly scaled function, near its minimizer (1e6, 2e-6), 0.1% and 1% away, where the scales differ
    most (away from it the function is dominated by one huge term)."""
    from workbench.accuracy import check_points

    if problem.name == BROWN:
        return np.array(problem.x_star) * np.array([1.001, 1.01])
    return check_points(problem, random_points=1)["random-1"]


def ensure_sweeps(store: Store, problems: dict[str, Problem]) -> int:
    """Store the error-versus-step sweep (with the step rules measured at its point) of each problem in
    :data:`SWEEPS` unless the store holds one for its current declaration, made by this version of the
    check (:data:`workbench.accuracy.CHECK_VERSION`); return how many were computed."""
    from workbench.accuracy import CHECK_VERSION, step_sweep

    stored = store.sweeps()
    made = 0
    for name in SWEEPS:
        problem = problems[name]
        known = stored.get(name, {})
        if known.get("fingerprint") == problem.fingerprint() and known.get("version") == CHECK_VERSION:
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # steps so small that x + h == x give 0/0: NaN, left out of the plots
            sweep = step_sweep(problem, sweep_point(problem))
        store.write_sweep(name, problem.fingerprint(), sweep.as_dict())
        made += 1
    return made


def training_facts(problem: Problem) -> dict[str, Any]:
    """The network's facts for section 10, at x0 (exact numbers from the declaration, measured through the
    oracle):

    ``gradient_check``: the exact gradient (shape (n,)) and, per variant of :data:`GRADIENT_CHECK`, its
    gradient, the relative error per parameter |g_i - exact_i| / |exact_i| (NaN where exact_i = 0), the
    norm-wise error ||g - exact||_2 / ||exact||_2, its work (passes over the data: each evaluation of f reads
    every row) and its evaluations of f, and the seconds of one call (a second oracle, warm); the exact
    gradient's work and seconds beside them.

    ``batch_spread``: the relative spread of the mini-batch gradient, sqrt(E ||g_B - g||^2) / ||g||, over
    :data:`SPREAD_DRAWS` batches of each size in :data:`SPREAD_SIZES` drawn without replacement (seeded by
    :data:`SPREAD_SEED`), beside what sampling without replacement predicts from the per-row gradients g_i:
    sqrt(sigma^2 / B * (N - B) / (N - 1)) / ||g|| with sigma^2 = mean_i ||g_i - g||^2."""
    import time

    from workbench.model import compile_model

    model = compile_model(problem)
    x = np.array(problem.x0, dtype=float)
    exact = np.asarray(model.exact.gradient(x), dtype=float)
    norm = float(np.linalg.norm(exact))

    def timed(variant: str) -> tuple[np.ndarray, Any, float]:
        if variant in ("analytic", GRADIENT_CHECK[0]):  # warm: compiles the gradient, or f for all the differences
            problem.oracle(variant).gradient(x)
        oracle = problem.oracle(variant)
        start = time.perf_counter()
        estimate = np.asarray(oracle.gradient(x), dtype=float)
        return estimate, oracle.counts, time.perf_counter() - start

    _, counts, seconds = timed("analytic")
    check: dict[str, Any] = {"point": "x0", "n": problem.n, "samples": problem.samples, "exact": exact.tolist(),
                             "exact_work": float(counts.work), "exact_seconds": seconds, "variants": {}}  # fmt: skip
    for variant in GRADIENT_CHECK:
        estimate, counts, seconds = timed(variant)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(exact != 0, np.abs(estimate - exact) / np.abs(exact), np.nan)
        check["variants"][variant] = {
            "gradient": estimate.tolist(), "relative_errors": relative.tolist(),
            "norm_error": float(np.linalg.norm(estimate - exact)) / norm, "work": float(counts.work),
            "evaluations": int(counts.objective_evaluations), "seconds": seconds,
        }  # fmt: skip
    rows = problem.samples
    per_row = np.array([model.batch_gradient(x, np.array([i])) for i in range(rows)], dtype=float)
    sigma2 = float(np.mean(np.sum((per_row - exact) ** 2, axis=1)))
    generator = np.random.default_rng(SPREAD_SEED)
    measured, predicted = [], []
    for size in SPREAD_SIZES:
        squares = [float(np.sum((model.batch_gradient(x, generator.choice(rows, size, replace=False)) - exact) ** 2))
                   for _ in range(SPREAD_DRAWS)]  # fmt: skip
        measured.append(float(np.sqrt(np.mean(squares))) / norm)
        predicted.append(float(np.sqrt(sigma2 / size * (rows - size) / (rows - 1))) / norm)
    spread = {"point": "x0", "samples": rows, "sizes": list(SPREAD_SIZES), "draws": SPREAD_DRAWS,
              "measured": measured, "predicted": predicted,
              "row_mean_error": float(np.max(np.abs(per_row.mean(axis=0) - exact))) / float(np.max(np.abs(exact)))}
    return {"gradient_check": check, "batch_spread": spread}  # fmt: skip


def ensure_facts(store: Store, problems: dict[str, Problem]) -> int:
    """Store the facts the sections quote about their problems (exact numbers from the declarations):
    the quadratic's curvatures (Hessian eigenvalues) and gradient at x0, the exact Hessian of each
    swept problem at its sweep point, for Brown's function the gradient step rules measured at x0
    (:func:`workbench.accuracy.step_rules`), and the network's gradient check and batch-gradient spread
    (:func:`training_facts`). Returns how many problems' facts were (re)computed (facts of another
    :data:`workbench.accuracy.CHECK_VERSION` are stale too)."""
    from workbench.accuracy import CHECK_VERSION, step_rules
    from workbench.model import compile_model

    def swept(p: Problem) -> dict[str, Any]:
        facts: dict[str, Any] = {"hessian_at_sweep_point": compile_model(p).exact.hessian(sweep_point(p)).tolist()}
        if p.name == BROWN:
            with np.errstate(all="ignore"):
                facts["rules_at_x0"] = step_rules(p, np.array(p.x0, dtype=float))
        return facts

    stored = store.facts()
    wanted: dict[str, Callable[[Problem], dict[str, Any]]] = {
        "ill_conditioned_quadratic": lambda p: {
            "x0": list(p.x0),
            "gradient_at_x0": compile_model(p).exact.gradient(np.array(p.x0, dtype=float)).tolist(),
            "hessian_at_x0": compile_model(p).exact.hessian(np.array(p.x0, dtype=float)).tolist(),
            "curvatures": curvatures(p).tolist(),
        },
        **{name: swept for name in SWEEPS},
        DATA_PROBLEM: training_facts,
    }  # fmt: skip
    made = 0
    for name, compute in wanted.items():
        problem = problems[name]
        known = stored.get(name, {})
        if known.get("fingerprint") == problem.fingerprint() and known.get("version") == CHECK_VERSION:
            continue
        store.write_facts(name, problem.fingerprint(), {**compute(problem), "version": CHECK_VERSION})
        made += 1
    return made
