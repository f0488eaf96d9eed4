"""Where runs execute: in this process, in N local worker processes, or on a Dask cluster.

Every executor takes the problems once, a list of :class:`Task` and a callback ``on_result(task,
result)`` called in *this* process as each run finishes (only the caller writes the store). An
optional ``claim(task) -> bool`` is called in this process right before a task is dispatched; a task
it refuses (another writer on the store has claimed or stored it) is skipped.

* :func:`run_serial` runs in this process.
* :func:`run_in_processes` runs on ``jobs`` worker processes (``forkserver``, else ``spawn``), each with one BLAS
  thread (``OMP_NUM_THREADS=1`` etc.) so that two jobs on two cores do not fight. Workers receive
  the problems once, at start, rebuild oracles from the SymPy declarations (compiled functions do not
  pickle) and keep them for every later task. A task running past its hard timeout is stopped by
  terminating its worker, stored as ``timeout``, and the worker replaced: one hung run never blocks a
  study. A worker that dies (a crash in native code) yields a ``failed`` run and is replaced.
* :func:`run_on_dask` submits tasks to a ``distributed`` scheduler (``pip install
  "workbench[dask]"``); results come back to the client. Runs are limited by their own
  ``time_limit`` (Dask cannot kill a running task).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from workbench import processes
from workbench.problem import Problem
from workbench.trace import RunResult

__all__ = ["hard_timeout_for", "Task", "execute", "process_context", "run_in_processes", "run_on_dask", "run_serial"]

SINGLE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


@dataclasses.dataclass(frozen=True)
class Task:
    """One run to make: everything but the Problem object, which travels once per worker."""

    key: str
    fingerprint: str
    problem: str
    method: str
    variant: str
    options: dict[str, Any]
    seed: int
    start: int
    x0: tuple[float, ...] = ()


OnResult = Callable[[Task, RunResult], None]
Claim = Callable[[Task], bool]


def hard_timeout_for(time_limit: float | None) -> float | None:
    """The wall-clock time after which a worker's run counts as hung and its worker is killed: twice the
    run's own ``time_limit`` plus 30 s (None without a time limit)."""
    return None if time_limit is None else 2.0 * float(time_limit) + 30.0


def _failed(task: Task, message: str, status: str = "failed") -> RunResult:
    return RunResult.without_run(problem=task.problem, method=task.method, variant=task.variant, options=task.options,
                                 seed=task.seed, x0=task.x0, status=status, message=message)  # fmt: skip


def execute(task: Task, problems: dict[str, Problem]) -> RunResult:
    """Run one task; never raises (an unexpected error becomes a ``failed`` run)."""
    from workbench.runner import solve

    try:
        return solve(problems[task.fingerprint], task.method, task.variant, **task.options)
    except Exception as error:  # failure is data
        return _failed(task, f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")


def run_serial(
    tasks: Sequence[Task], problems: dict[str, Problem], on_result: OnResult, *, claim: Claim | None = None
) -> None:
    for task in tasks:
        if claim is None or claim(task):
            on_result(task, execute(task, problems))


# -------------------------------------------------------------------------------------------
# local processes


def _worker(connection: Connection, problems: dict[str, Problem]) -> None:
    """Worker loop: receive a Task, send back (key, RunResult); stop on None."""
    while True:
        try:
            task = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        try:
            connection.send(("started", task.key))  # the hard time limit counts from here
            result = execute(task, problems)
        except KeyboardInterrupt:
            return
        try:
            connection.send(("result", result))
        except (BrokenPipeError, EOFError):
            return


class _Worker:
    def __init__(self, context: Any, problems: dict[str, Problem]) -> None:
        self.connection, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker, args=(child, problems), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.started: float | None = None  # when the worker began the task (after its start-up)

    def assign(self, task: Task) -> None:
        self.task = task
        self.started = None
        self.connection.send(task)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.connection.close()


def run_in_processes(
    tasks: Sequence[Task],
    problems: dict[str, Problem],
    on_result: OnResult,
    *,
    jobs: int,
    hard_timeout: float | None = None,
    claim: Claim | None = None,
) -> None:
    """Run tasks on ``jobs`` worker processes (module docstring). Ctrl-C stops the workers and
    re-raises KeyboardInterrupt after the finished runs have been handed to ``on_result``."""
    if not tasks:
        return
    context = process_context()
    with _single_threaded():
        workers = [_Worker(context, problems) for _ in range(max(1, min(jobs, len(tasks))))]
    queue = _AffinityQueue(tasks, claim)
    try:
        for worker in workers:
            task = queue.next_for(None, workers)
            if task is not None:
                worker.assign(task)
        while any(w.task is not None for w in workers):
            busy = [w for w in workers if w.task is not None]
            timeout = None
            running = [w for w in busy if w.started is not None]
            if hard_timeout is not None and running:
                now = time.monotonic()
                timeout = max(0.0, min(w.started + hard_timeout - now for w in running))
            ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
            for index, worker in enumerate(workers):
                if worker.task is None:
                    continue
                task = worker.task
                if worker.connection in ready:
                    try:
                        kind, result = worker.connection.recv()
                    except (EOFError, OSError):
                        kind, result = "died", _failed(task, "worker process died while running this task")
                        worker = workers[index] = _replace(worker, context, problems)
                    if kind == "started":
                        worker.started = time.monotonic()
                        continue
                    worker.task = None
                    on_result(task, result)
                elif worker.process.sentinel in ready or not worker.process.is_alive():
                    code = worker.process.exitcode
                    worker = workers[index] = _replace(worker, context, problems)
                    on_result(task, _failed(task, f"worker process died (exit code {code}) while running this task"))
                elif (
                    hard_timeout is not None
                    and worker.started is not None
                    and time.monotonic() - worker.started > hard_timeout
                ):
                    worker = workers[index] = _replace(worker, context, problems, kill=True)
                    on_result(task, _failed(task, f"run exceeded the hard time limit of {hard_timeout:g} s", "timeout"))
                else:
                    continue
                following = queue.next_for(task.fingerprint, workers)
                if following is not None:
                    worker.assign(following)
    finally:
        for worker in workers:
            worker.stop(kill=any(w.task is not None for w in workers))


@contextlib.contextmanager
def _single_threaded() -> Iterator[None]:
    """One BLAS thread in the worker processes started inside: the variables are inherited by the new
    interpreters before numpy loads, then restored here."""
    saved = {name: os.environ.get(name) for name in SINGLE_THREAD}
    os.environ.update(SINGLE_THREAD)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def process_context() -> Any:
    """The context of study workers: :func:`workbench.processes.process_context` with the runner
    preloaded in the fork server."""
    return processes.process_context(("workbench.runner", "workbench.parallel"))


class _AffinityQueue:
    """Pending tasks grouped by problem. A worker gets another task of the problem it just ran (its
    compiled oracle is warm); otherwise the problem with most tasks left that no other worker is on.
    Serial and parallel studies compile each problem once per process that touches it. ``claim``
    (if given) is asked for each task as it leaves the queue; refused tasks are skipped."""

    def __init__(self, tasks: Sequence[Task], claim: Claim | None = None) -> None:
        self.groups: dict[str, list[Task]] = {}
        self.claim = claim
        for task in reversed(tasks):
            self.groups.setdefault(task.fingerprint, []).append(task)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def next_for(self, fingerprint: str | None, workers: Sequence[_Worker]) -> Task | None:
        """The next task for a worker that just ran ``fingerprint`` (None when none is left)."""
        while self.groups:
            task = self._pop(fingerprint, workers)
            if self.claim is None or self.claim(task):
                return task
        return None

    def _pop(self, fingerprint: str | None, workers: Sequence[_Worker]) -> Task:
        if fingerprint not in self.groups:
            busy = {w.task.fingerprint for w in workers if w.task is not None}
            free = [f for f in self.groups if f not in busy] or list(self.groups)
            fingerprint = max(free, key=lambda f: len(self.groups[f]))
        group = self.groups[fingerprint]
        task = group.pop()
        if not group:
            del self.groups[fingerprint]
        return task


def _replace(worker: _Worker, context: Any, problems: dict[str, Problem], kill: bool = True) -> _Worker:
    worker.stop(kill=kill)
    with _single_threaded():
        return _Worker(context, problems)


# -------------------------------------------------------------------------------------------
# Dask


def run_on_dask(
    tasks: Sequence[Task],
    problems: dict[str, Problem],
    on_result: OnResult,
    *,
    scheduler: Any,
    claim: Claim | None = None,
) -> None:
    """Run tasks on a Dask cluster: ``scheduler`` is an address (``tcp://host:8786``) or a Client.
    Each task is claimed as it is submitted (all of them at the start)."""
    try:
        from distributed import Client, as_completed
    except ImportError as error:
        raise ImportError('running on a Dask cluster needs distributed: pip install "workbench[dask]"') from error
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        shared = client.scatter(problems, broadcast=True)
        # the scattered problems stay in each worker's memory: compiled oracles are reused across tasks
        futures = {
            client.submit(execute, task, shared, key=f"run-{task.key}", pure=False): task
            for task in tasks
            if claim is None or claim(task)
        }
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a lost worker, a serialization error
                result = _failed(task, f"Dask task failed: {type(error).__name__}: {error}")
            on_result(task, result)
    finally:
        if client is not scheduler:
            client.close()
