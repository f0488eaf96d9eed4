"""What ``workbench report`` runs before it renders: the default study, the derivative checks and
the error-versus-step sweeps, into the result store (the run side of the report; rendering is
:func:`workbench.report.write_report`, which reads the store only).

    default_study(...)  the study the report runs (every problem x every method x variants)
    prepare(...)        run (or resume) a study and the checks of its problems into the store
    run_checks(...)     derivative checks and step sweeps of problems whose stored ones are stale

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
from workbench.parallel import process_context
from workbench.problem import Problem
from workbench.progress import Progress
from workbench.report.training_runs import data_studies
from workbench.store import DEFAULT_STORE, Store
from workbench.study import Study, StudySummary
from workbench.variants import PRACTICAL_VARIANTS

__all__ = ["RICHARDSON_METHODS", "Studies", "default_study", "pool", "prepare", "run_checks"]

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
) -> StudySummary:
    """Run (or resume) ``study`` (one grid or :class:`Studies`) and the derivative checks of its problems
    into ``store``."""
    summary = study.run(store=store, jobs=jobs, rerun=rerun, progress=progress)
    if not summary.interrupted:
        checked = {name: p for name, p in study.resolve_problems().items() if "data" not in p.tags}  # module docstring
        with Store(store) as handle:
            run_checks(checked, handle, jobs=jobs, rerun=rerun, progress=progress)
    return summary
