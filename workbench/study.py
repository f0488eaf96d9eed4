"""A study: a declared grid of problems x methods (with option grids) x derivative variants x seeds x
start points, run into the result store, resumable and parallel.

    study = Study(
        name="lecture",
        problems=["tag:lecture", "hs071"],                 # names, tag:TAG, or Problem objects
        methods=["newton", "lbfgs", MethodSpec("sgd", learning_rate=[1e-3, 1e-2])],   # lists are grids
        derivatives=["analytic", "fd-forward"],
        seeds=[0],
        starts=3,                                          # x0, then 2 seeded points (multi-start)
        options={"time_limit": 60},                        # for every run, where the method takes it
    )
    summary = study.run(store="reports/results.sqlite", jobs=2)

Runs whose key is already stored are skipped (resume); ``rerun=True`` recomputes them. A run's key is
the hash of the problem's declaration, method, resolved options (defaults filled in, so a changed
default makes a new run), variant, seed, start point and the workbench version. Multi-start points
(start s >= 1) are drawn, per variable, uniformly inside finite bounds or from
x0_i + spread * max(1, |x0_i|) * N(0, 1) otherwise, with a generator seeded by (seed, crc32 of the
problem's name, s): seeds come from names, never from global state.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import sys
import time
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.discovery import discover_problems, select_problems
from workbench.methods import catalogue, get_method
from workbench.parallel import Task, hard_timeout_for, run_in_processes, run_on_dask, run_serial
from workbench.problem import Problem
from workbench.progress import Progress, instant_runs
from workbench.runner import recorded_options
from workbench.store import DEFAULT_STORE, Store
from workbench.trace import RunResult
from workbench.validation import did_you_mean
from workbench.variants import parse_variant

__all__ = ["MethodSpec", "Study", "StudySummary", "parse_value", "run_key", "start_points"]


@dataclasses.dataclass(frozen=True, init=False)
class MethodSpec:
    """A method and its options; an option given as a list is a grid (one run per value)."""

    name: str
    options: tuple[tuple[str, Any], ...]

    def __init__(self, name: str, **options: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "options", tuple(sorted(options.items())))

    def expand(self) -> list[dict[str, Any]]:
        """The cartesian product of list-valued options (``x0``: a list of numbers is one point, a
        list of points a grid)."""
        names = [k for k, _ in self.options]
        values = []
        for name, value in self.options:
            is_point = (
                name == "x0"
                and isinstance(value, (list, tuple))
                and not any(isinstance(v, (list, tuple)) for v in value)
            )
            values.append([value] if is_point or not isinstance(value, (list, tuple)) else list(value))
        return [dict(zip(names, combination, strict=True)) for combination in itertools.product(*values)]

    @classmethod
    def parse(cls, text: str) -> MethodSpec:
        """``"sgd"`` or ``"sgd:learning_rate=0.001/0.01,momentum=0.9"`` (``/`` separates grid values)."""
        name, _, rest = text.partition(":")
        options: dict[str, Any] = {}
        for item in filter(None, rest.split(",")):
            key, separator, value = item.partition("=")
            if not separator:
                raise ValueError(f"method option {item!r} in {text!r} must read name=value")
            parsed = [parse_value(v) for v in value.split("/")]
            options[key.strip()] = parsed if len(parsed) > 1 else parsed[0]
        return cls(name.strip(), **options)


def parse_value(text: str) -> Any:
    """Command-line text as a value: an int, a float, true / false / none, or the text itself."""
    text = text.strip()
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None}.get(text.lower(), text)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def run_key(problem: Problem, method: str, options: Mapping[str, Any], variant: str, seed: int) -> str:
    """The run's identity: hash of the declaration (its fingerprint), the method, its **resolved**
    options (x0 included), the variant, the seed and the workbench version."""
    from workbench import __version__

    text = _canonical([problem.fingerprint(), method, dict(options), variant, int(seed), __version__])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def start_points(problem: Problem, starts: int, *, seed: int = 0, spread: float = 0.5) -> list[tuple[float, ...]]:
    """x0 followed by ``starts - 1`` seeded points (module docstring)."""
    points = [tuple(problem.x0.tolist())]
    x0 = np.array(problem.x0)
    lower, upper = problem.lower, problem.upper
    for s in range(1, starts):
        rng = np.random.default_rng([seed, zlib.crc32(problem.name.encode()), s])
        boxed = np.isfinite(lower) & np.isfinite(upper)
        around = x0 + spread * np.maximum(1.0, np.abs(x0)) * rng.standard_normal(problem.n)
        inside = rng.uniform(np.where(boxed, lower, 0.0), np.where(boxed, upper, 1.0))
        point = np.clip(np.where(boxed, inside, around), lower, upper)
        points.append(tuple(float(v) for v in point))
    return points


@dataclasses.dataclass
class StudySummary:
    """What a study run did: runs planned, already stored (resumed), made now, by status."""

    planned: int
    resumed: int
    ran: int = 0
    statuses: Counter = dataclasses.field(default_factory=Counter)
    interrupted: bool = False
    wall_time: float = 0.0
    store: str = ""
    elsewhere: int = 0  # runs left to another writer on the same store (claimed or stored by it meanwhile)

    def text(self) -> str:
        parts = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        head = "interrupted" if self.interrupted else "done"
        other = f", {self.elsewhere} made by another writer on the store" if self.elsewhere else ""
        return (
            f"{head}: {self.ran} runs made ({parts or 'none'}), {self.resumed} already in the store (resumed)"
            f"{other}, {self.planned} planned, {self.wall_time:.1f} s; results in {self.store}"
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Study:
    """A declared grid of runs (module docstring)."""

    name: str = "study"
    problems: Sequence[str | Problem] = ("all",)
    methods: Sequence[str | MethodSpec] = ("lbfgs",)
    derivatives: Sequence[str] = ("analytic",)
    seeds: Sequence[int] = (0,)
    starts: int = 1
    spread: float = 0.5
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    problems_dir: str | Path | None = None

    def resolve_problems(self) -> dict[str, Problem]:
        """The study's problems by name (selectors resolved against the library or problems_dir)."""
        chosen: dict[str, Problem] = {}
        selectors = [p for p in self.problems if isinstance(p, str)]
        if selectors:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                library = discover_problems(self.problems_dir)
            chosen.update(select_problems(library, selectors))
        for p in self.problems:
            if isinstance(p, Problem):
                chosen[p.name] = p
        if not chosen:
            raise ValueError("the study has no problems; give names, tag:TAG selectors or Problem objects")
        return chosen

    def _method_specs(self) -> list[MethodSpec]:
        specs = [MethodSpec.parse(m) if isinstance(m, str) else m for m in self.methods]
        if not specs:
            raise ValueError("the study has no methods; see `workbench methods`")
        return specs

    def tasks(self, problems: dict[str, Problem] | None = None) -> list[tuple[Task, Problem]]:
        """The expanded grid with every run's options resolved (defaults filled in, values checked):
        an unknown method, option, value or variant raises before anything runs or is stored."""
        problems = self.resolve_problems() if problems is None else problems
        variants = [parse_variant(variant).name for variant in self.derivatives]
        if isinstance(self.starts, bool) or not isinstance(self.starts, int) or self.starts < 1:
            raise ValueError(f"starts must be a whole number >= 1, got {self.starts!r}")
        specs = self._method_specs()
        methods = {spec.name: get_method(spec.name) for spec in specs}
        taken = set().union(*(method.accepted_options() for method in methods.values()))
        unknown = sorted(set(self.options) - taken)
        if unknown:
            raise TypeError(
                f"no method of the study takes option {', '.join(map(repr, unknown))}"
                f"{did_you_mean(unknown[0], taken)}; see `workbench methods` for what each method accepts"
            )
        tasks = []
        for spec in specs:
            method = methods[spec.name]
            accepted = method.accepted_options()
            shared = {k: v for k, v in self.options.items() if k in accepted}
            for options in spec.expand():
                method.resolve_options({**shared, **options})  # raises for unknown options and bad values
                for problem in problems.values():
                    for seed in self.seeds:
                        points = start_points(problem, self.starts, seed=seed, spread=self.spread)
                        for start, x0 in enumerate(points):
                            given = {**shared, **options, "seed": seed}
                            if start:
                                given["x0"] = list(x0)
                            resolved = method.resolve_options(given)
                            method.check_problem(problem, resolved)
                            resolved = recorded_options(resolved)
                            for variant in variants:
                                key = run_key(problem, spec.name, resolved, variant, seed)
                                task = Task(key=key, fingerprint=problem.fingerprint(), problem=problem.name,
                                            method=spec.name, variant=variant, options=resolved, seed=int(seed),
                                            start=start, x0=tuple(x0))  # fmt: skip
                                tasks.append((task, problem))
        return tasks

    def run(
        self,
        store: str | Path | Store = DEFAULT_STORE,
        *,
        jobs: int = 1,
        scheduler: Any = None,
        rerun: bool = False,
        progress: bool | None | Progress = None,
        hard_timeout: float | None = None,
    ) -> StudySummary:
        """Run every run not yet stored; write each the moment it finishes (module docstring).

        ``jobs > 1`` runs on local processes, ``scheduler`` on a Dask cluster. ``hard_timeout``
        (default: twice the ``time_limit`` option plus 30 s, when one is set) stops a hung run by
        terminating its worker process. Ctrl-C stops cleanly and keeps every finished run.

        The grid is validated before the store is opened or created. Each run is claimed in the store
        right before it is dispatched (:meth:`workbench.store.Store.claim`): a run that another writer
        on the same store has claimed or stored meanwhile is left to it (``summary.elsewhere``), so two
        studies on one store compute every run once.

        ``progress``: a line on a terminal (None), always (True), never (False), or a
        :class:`~workbench.progress.Progress` shared by several studies (fed, not closed).
        """
        start_time = time.monotonic()
        tasks = self.tasks()  # validated before the store is opened: bad input leaves no store behind
        owned = not isinstance(store, Store)
        if not tasks:
            return StudySummary(planned=0, resumed=0, store=str(store.path if not owned else store))
        handle = Store(store) if owned else store
        try:
            problems = {problem.fingerprint(): problem for _, problem in tasks}
            existing = handle.keys()
            if rerun:
                handle.delete_runs([t.key for t, _ in tasks if t.key in existing])
                existing = set()
            seen: set[str] = set()
            pending: list[Task] = []
            for task, _ in tasks:
                if task.key not in existing and task.key not in seen:
                    seen.add(task.key)
                    pending.append(task)
            summary = StudySummary(planned=len({t.key for t, _ in tasks}), resumed=0, store=str(handle.path))
            summary.resumed = summary.planned - len(pending)
            declared = {p.fingerprint(): p for _, p in tasks}
            if pending:  # a resumed study with nothing left to run writes nothing
                handle.record_environment(self.name)
            recorded = {info["fingerprint"] for info in handle.problems().values()}
            if pending or not set(declared) <= recorded:
                handle.write_problems(declared.values())
            keys = list(dict.fromkeys(task.key for task, _ in tasks))
            if pending or keys != handle.study_keys(self.name):
                handle.write_memberships(self.name, keys)  # renderers find a study's runs by these
                handle.write_methods(catalogue())
            bar = progress if isinstance(progress, Progress) else Progress(
                len(pending), skipped=summary.resumed, enabled=progress,
                instant=instant_runs(pending, problems) if progress is not False else 0)  # fmt: skip
            by_fingerprint = {p.fingerprint(): p for p in problems.values()}

            def claim(task: Task) -> bool:
                """Another writer on this store may have stored or claimed the run meanwhile: skip it then."""
                if handle.claim(task.key):
                    return True
                summary.elsewhere += 1
                bar.update("elsewhere")
                return False

            def on_result(task: Task, result: RunResult) -> None:
                problem = by_fingerprint[task.fingerprint]
                handle.write_run(task.key, result, study=self.name, fingerprint=task.fingerprint, start=task.start,
                                 f_star=problem.f_star, n=problem.n)  # fmt: skip
                handle.release([task.key])
                summary.ran += 1
                summary.statuses[result.status] += 1
                bar.update(result.status, task=f"{task.problem} {task.method} {task.variant}")

            if hard_timeout is None:
                hard_timeout = hard_timeout_for(self.options.get("time_limit"))
            try:
                if scheduler is not None:
                    run_on_dask(pending, problems, on_result, scheduler=scheduler, claim=claim)
                elif jobs > 1 or (hard_timeout is not None and pending):
                    run_in_processes(pending, problems, on_result, jobs=max(1, jobs), hard_timeout=hard_timeout,
                                     claim=claim)  # fmt: skip
                else:
                    run_serial(pending, problems, on_result, claim=claim)
            except KeyboardInterrupt:
                summary.interrupted = True
                print(f"\ninterrupted: {summary.ran} runs of this session kept in {handle.path}", file=sys.stderr)
            finally:
                handle.release()  # claims of runs not finished (interrupted, or an error) go back
                if bar is not progress:
                    bar.close()
            summary.wall_time = time.monotonic() - start_time
            return summary
        finally:
            if owned:
                handle.close()
