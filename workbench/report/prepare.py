"""What ``workbench report`` runs before it renders: the default study, the derivative checks and
the error-versus-step sweeps, into the result store (the run side of the report; rendering is
:func:`workbench.report.write_report`, which reads the store only).

    default_study(...)  the study the report runs (every problem x every method x variants)
    prepare(...)        run (or resume) a study and the checks of its problems into the store
    run_checks(...)     derivative checks and step sweeps of problems whose stored ones are stale
    check_fragility(...) re-run each run from x0 nudged by one ulp: is its outcome fragile?

The default study: every problem of the built-in library, every method, derivatives ``analytic``,
``fd-forward``, ``fd-central`` and ``complex-step``, at most 500 iterations and 10 s per run; beside it
(study ``report-richardson``) the adaptive ``fd-richardson`` variant with the methods in
:data:`RICHARDSON_METHODS`. ``full=True``: one grid of every method and every practical variant
(:data:`workbench.variants.PRACTICAL_VARIANTS`) plus ``fd-forward+bfgs``, each method's own iteration
limit, 60 s per run and three start points per problem.

Why fd-richardson runs with a few methods only: its gradient costs about 16n evaluations and its Hessian
1 + 16n^2, and its ladder is bookkept in Python, so over the whole grid it took as long as the four other
variants together (275 s against 269 s on 2 shared cores; the first-order family's 500 iterations alone
were half of it, and their fixed learning rates gain nothing from 13-digit gradients). The question it
answers in the report, whether a better finite-difference Hessian buys second-order methods' iterations
back and at what cost, needs the Hessian methods (and the quasi-Newton ones, for gradients).

``fd-optimal`` is left out of the default study: it reads exact higher derivatives, so a run with it
answers no question a user without exact derivatives could act on, and what it teaches (the best a
fixed-step difference can do) the derivative checks and sweeps show per problem at no run time. Ask for it
with ``--derivatives`` (it is a variant like any other).

Problems tagged ``data`` are left out of these grids and trained beside them, in the default report only, by the
data study of :mod:`workbench.report.training_runs` (mini-batches, epochs, per-epoch decay; the report's
training page); they get no derivative checks (the network's would derive its unaffordable Hessian).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.methods import available_methods
from workbench.parallel import Task, hard_timeout_for, process_context, run_in_processes, run_serial
from workbench.problem import Problem
from workbench.progress import Progress
from workbench.report.training_runs import data_studies
from workbench.reproducibility import PERTURBATION, nudge
from workbench.store import DEFAULT_STORE, Store
from workbench.study import Study, StudySummary
from workbench.trace import RunResult
from workbench.variants import PRACTICAL_VARIANTS

__all__ = ["RICHARDSON_METHODS", "Studies", "check_fragility", "default_study", "pool", "prepare", "run_checks"]

#: The methods the default report runs with fd-richardson (module docstring): Newton and trust-exact, which
#: use a Hessian at every iteration, and the two quasi-Newton methods, for gradients. Left out for their
#: cost: the first-order family; newton-cg, trust-ncg, trust-krylov and trust-constr, which would repeat
#: trust-exact's answer with a full Richardson Hessian behind their Hessian-vector products (with them the
#: Richardson grid took 52 s instead of about 30 s on 2 shared cores).
RICHARDSON_METHODS = ("newton", "trust-exact", "lbfgs", "bfgs")


@dataclasses.dataclass(frozen=True)
class Studies:
    """Several study grids run one after another into one store, as one: ``run`` returns one summary
    (counts summed), ``resolve_problems`` the union of their problems. The report's default runs are two
    grids (module docstring); ``problems``, ``methods`` and ``derivatives`` describe them together."""

    studies: tuple[Study, ...]

    @property
    def name(self) -> str:
        return self.studies[0].name

    @property
    def problems(self) -> list[str | Problem]:
        return list(dict.fromkeys(p for study in self.studies for p in study.problems))

    @property
    def methods(self) -> list[Any]:
        return list(dict.fromkeys(m for study in self.studies for m in study.methods))

    @property
    def derivatives(self) -> list[str]:
        return list(dict.fromkeys(v for study in self.studies for v in study.derivatives))

    def resolve_problems(self) -> dict[str, Problem]:
        return {name: p for study in self.studies for name, p in study.resolve_problems().items()}

    def run(self, store: str | Path = DEFAULT_STORE, **options: Any) -> StudySummary:
        """Run each study (``Study.run`` options); stop after one that was interrupted."""
        total: StudySummary | None = None
        for study in self.studies:
            summary = study.run(store=store, **options)
            if total is None:
                total = dataclasses.replace(summary, statuses=Counter(summary.statuses))
            else:
                total.planned += summary.planned
                total.resumed += summary.resumed
                total.ran += summary.ran
                total.statuses.update(summary.statuses)
                total.wall_time += summary.wall_time
                total.elsewhere += summary.elsewhere
                total.interrupted = summary.interrupted
            if summary.interrupted:
                break
        assert total is not None
        return total


def default_study(
    *,
    full: bool = False,
    problems: Sequence[str | Problem] | None = None,
    methods: Sequence[str] | None = None,
    derivatives: Sequence[str] | None = None,
    problems_dir: str | Path | None = None,
) -> Study | Studies:
    """The runs ``workbench report`` makes (module docstring); arguments narrow or widen them. Given
    ``derivatives`` (or ``full``) this is one grid of every chosen method in every chosen variant; else the
    default's two grids (:class:`Studies`). Problems tagged ``data`` (finite sums over data rows, trained
    in mini-batches) are left out of these grids: every method in every finite-difference variant on a
    network would spend minutes of full passes over its data. The default also trains them, in the data study
    (:func:`workbench.report.training_runs.data_studies`)."""
    options: dict[str, Any] = {"time_limit": 60.0} if full else {"max_iterations": 500, "time_limit": 10.0}
    chosen = list(methods) if methods else list(available_methods())
    selected = Study(problems=list(problems) if problems else ["all"], problems_dir=problems_dir).resolve_problems()
    chosen_problems = [problem for problem in selected.values() if "data" not in problem.tags]
    grid = {"problems": chosen_problems, "starts": 3 if full else 1, "options": options,
            "problems_dir": problems_dir}  # fmt: skip
    if derivatives or full:
        variants = list(derivatives) if derivatives else [*PRACTICAL_VARIANTS, "fd-forward+bfgs"]
        return Study(name="report-full" if full else "report", methods=chosen, derivatives=variants, **grid)
    fixed = [v for v in PRACTICAL_VARIANTS if v != "fd-richardson"]
    studies = [Study(name="report", methods=chosen, derivatives=fixed, **grid)] if chosen_problems else []
    adaptive = [m for m in chosen if m in RICHARDSON_METHODS]
    if adaptive and chosen_problems:
        studies.append(Study(name="report-richardson", methods=adaptive, derivatives=["fd-richardson"], **grid))
    studies += data_studies(selected.values(), methods)
    return Studies(tuple(studies))


def _check_one(problem: Problem) -> tuple[str, str, list[Any], dict[str, Any]]:
    from workbench.accuracy import check_derivatives, check_points, step_sweep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = check_derivatives(problem)
        point = check_points(problem, random_points=1)["random-1"]
        sweep = step_sweep(problem, point)
    return problem.name, problem.fingerprint(), rows, sweep.as_dict()


def pool(jobs: int) -> concurrent.futures.Executor:
    """A process pool of ``jobs`` workers started cleanly (forkserver or spawn)."""
    return concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=process_context())


def run_checks(
    problems: dict[str, Problem], store: Store, *, jobs: int = 1, rerun: bool = False, progress: bool | None = False
) -> int:
    """Derivative checks and step sweeps for every problem whose current declaration has none stored (or
    whose stored ones an older workbench measured: :data:`workbench.accuracy.CHECK_VERSION`);
    ``progress``: the ``checks`` line (None: on a terminal)."""
    from workbench.accuracy import CHECK_VERSION

    stored = store.check_fingerprints()
    sweeps = store.sweeps()

    def stale(p: Problem) -> bool:
        sweep = sweeps.get(p.name, {})
        return (stored.get(p.name) != p.fingerprint() or sweep.get("fingerprint") != p.fingerprint()
                or sweep.get("version") != CHECK_VERSION)  # fmt: skip

    pending = [p for p in problems.values() if rerun or stale(p)]
    if not pending:
        return 0

    bar = Progress(len(pending), enabled=progress, phase="checks", label="problems", failures=False)

    def save(result: tuple[str, str, list[Any], dict[str, Any]]) -> None:
        name, fingerprint, rows, sweep = result
        store.write_checks(name, fingerprint, rows)
        store.write_sweep(name, fingerprint, sweep)
        bar.update(task=name)

    try:
        if jobs > 1 and len(pending) > 1:
            with pool(jobs) as workers:
                for result in workers.map(_check_one, pending):
                    save(result)
        else:
            for problem in pending:
                save(_check_one(problem))
    finally:
        bar.close()
    return len(pending)


def prepare(
    study: Study | Studies,
    store: str | Path = DEFAULT_STORE,
    *,
    jobs: int = 1,
    rerun: bool = False,
    progress: bool | None = None,
    fragility: bool = True,
) -> StudySummary:
    """Run (or resume) ``study`` (one grid or :class:`Studies`) and the derivative checks of its problems
    into ``store``; then, unless ``fragility=False``, the fragility check of its runs (:func:`check_fragility`)."""
    summary = study.run(store=store, jobs=jobs, rerun=rerun, progress=progress)
    if not summary.interrupted:
        checked = {name: p for name, p in study.resolve_problems().items() if "data" not in p.tags}  # module docstring
        with Store(store) as handle:
            run_checks(checked, handle, jobs=jobs, rerun=rerun, progress=progress)
        if fragility:
            check_fragility(study, store, jobs=jobs, progress=progress)
    return summary


#: Statuses whose runs the fragility check leaves out: nothing ran, or the wall clock decided the outcome
#: (such a run is marked as not repeatable anyway, ``workbench.reproducibility.TIME_LIMIT``).
NOT_CHECKED = ("not_applicable", "timeout")


def check_fragility(
    study: Study | Studies, store: str | Path = DEFAULT_STORE, *, jobs: int = 1, progress: bool | None = False
) -> int:
    """Re-run every stored run of ``study`` that ran (status not in :data:`NOT_CHECKED`) and has no check
    yet, from its x0 moved one unit in the last place towards +inf on every component
    (:func:`workbench.reproducibility.nudge`), and store whether its status or iteration count changed
    (:meth:`workbench.store.Store.write_fragility`); returns the number of runs checked. The re-runs are
    not stored as runs. Runs of problems tagged ``data`` (the data study, shown on the training page, which
    marks no outcome) are not checked: their re-runs would be passes over the data for nothing.

    Why x0 and one ulp: a second machine (another BLAS kernel, another libm) moves a run's arithmetic by a
    few units in the last place from its first step on; nudging x0 does the same on this machine, so an
    outcome that changes under the nudge is one a second machine may not repeat, and the reader should not
    lean on it. One nudge is one sample of such a perturbation: a run may change under another one and not
    under this, so the check finds most fragile outcomes, not all.

    Cost: each re-run runs with ``max_iterations`` capped at the original's iterations + 1 (and its own
    limit), so no re-run costs more than its run plus one iteration: a re-run that needs more iterations is
    stopped at the cap and counted as changed (``capped``). A re-run stopped by the time limit decides
    nothing (stored with ``fragile`` unknown). ``progress``: a ``fragility`` line (None: on a terminal)."""
    grids = study.studies if isinstance(study, Studies) else (study,)
    with Store(store) as handle:
        stored = {run["key"]: run for run in handle.runs(f"status NOT IN {NOT_CHECKED!r}")}
        done = {key for key, row in handle.reproducibility().items() if row["perturbation"] is not None}
        tasks: list[Task] = []
        problems: dict[str, Problem] = {}
        seen: set[str] = set()
        limits: list[float] = []  # the time limits of the grids whose runs are checked
        for grid in grids:
            for task, problem in grid.tasks():
                run = stored.get(task.key)
                if run is None or task.key in done or task.key in seen or "data" in problem.tags:
                    continue
                seen.add(task.key)
                problems[task.fingerprint] = problem
                tasks.append(_nudged(task, run))
                if task.options.get("time_limit") is not None:
                    limits.append(float(task.options["time_limit"]))
        if not tasks:
            return 0
        bar = Progress(len(tasks), enabled=progress, phase="fragility", label="runs", failures=False)

        def on_result(task: Task, result: RunResult) -> None:
            run = stored[task.key]
            cap = task.options["max_iterations"]
            capped = cap == run["iterations"] + 1 and result.iterations >= cap  # it needed more than the run
            changed = None if result.status == "timeout" else (
                result.status != run["status"] or result.iterations != run["iterations"])  # fmt: skip
            handle.write_fragility(task.key, perturbation=PERTURBATION, status=result.status,
                                   iterations=result.iterations, capped=capped, fragile=changed)  # fmt: skip
            bar.update(task=f"{task.problem} {task.method} {task.variant}")

        hard_timeout = hard_timeout_for(max(limits)) if limits else None
        try:
            if jobs > 1 or hard_timeout is not None:
                run_in_processes(tasks, problems, on_result, jobs=max(1, jobs), hard_timeout=hard_timeout)
            else:
                run_serial(tasks, problems, on_result)
        finally:
            bar.close()
    return len(tasks)


def _nudged(task: Task, run: dict[str, Any]) -> Task:
    """The task of ``run`` from its x0 nudged by one ulp, its iterations capped at the run's + 1."""
    limit = task.options.get("max_iterations")
    cap = run["iterations"] + 1 if limit is None else min(int(limit), run["iterations"] + 1)
    x0 = nudge(task.x0).tolist()
    return dataclasses.replace(task, options={**task.options, "x0": x0, "max_iterations": cap}, x0=tuple(x0))
