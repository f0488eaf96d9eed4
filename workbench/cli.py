"""The ``workbench`` command: a thin layer over the library.

workbench list                      the problem library
workbench check PROBLEM             finite differences against exact derivatives

Every command ends a bad input (an option, a file, a store, a folder) with one sentence on standard
error that names it and the fix, and no traceback unless ``--debug`` is given. Exit codes: 0 done;
1 done, but some runs made by this command (``run``, ``solve``) ended with status ``failed``; 2 bad
input or environment; 3 an internal error (a bug: one sentence, ``--debug`` for the traceback); 130
interrupted (Ctrl-C). ``report`` and ``lesson`` treat run outcomes as data and exit 0 once their pages
are written. numpy's RuntimeWarnings (overflow, invalid value) are not printed: runs record non-finite
values as data.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sqlite3
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from workbench.discovery import ProblemFileWarning, discover_problems, select_problems
from workbench.store import DEFAULT_STORE
from workbench.table import format_table

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RUNS_FAILED",
    "describe_error",
    "entry",
    "main",
]

EXIT_OK = 0
EXIT_RUNS_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3  # as pytest's INTERNAL_ERROR: a bug is neither bad input nor a failed run
EXIT_INTERRUPTED = 130

EXIT_CODES = """exit codes:
  0    done
  1    done, but some runs made by this command ended with status "failed" (run, solve); report
       and lesson treat run outcomes as data and exit 0 once their pages are written
  2    bad input or environment: one sentence on stderr names the option, file, store or folder
       and the fix
  3    internal error (a bug in the workbench): one sentence; run again with --debug for the
       traceback
  130  interrupted (Ctrl-C); every finished run is kept in the store"""

FORCE_HELP = (
    "write into a folder that holds files the workbench did not write (they are never deleted or "
    "overwritten; without --force such a folder is refused)"
)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``workbench run: --jobs must be ... (see workbench run --help)``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = re.sub(r"^argument (-[^:]*?)(?:/(-[^:]*))?: ", lambda m: f"{m.group(2) or m.group(1)} ", message)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _whole_number(minimum: int):
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, got {value}")
        return value

    convert.__name__ = f"whole number >= {minimum}"
    return convert


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def _seeds(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(part.isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"must be comma-separated whole numbers >= 0 such as 0,1,2, got {text!r}")
    return [int(part) for part in parts]


def _library(args: argparse.Namespace, folder: str | Path | None = None):
    """The problem library (``--problems-dir`` or the built-in one), loaded once per command; each
    problem file that failed to load is reported as one line on standard error."""
    folder = folder if folder is not None else args.problems_dir
    cached = getattr(args, "_library_cache", None)
    if cached is not None and cached[0] == folder:
        return cached[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")  # declaration warnings are for authors, not for listing
        warnings.simplefilter("always", ProblemFileWarning)
        library = discover_problems(folder)
    for warning in caught:
        if issubclass(warning.category, ProblemFileWarning):
            print(f"workbench {args.command}: warning: {warning.message}", file=sys.stderr)
    args._library_cache = (folder, library)
    return library


def _select_one(args: argparse.Namespace):
    return select_problems(_library(args), [args.problem])[args.problem]


def command_list(args: argparse.Namespace) -> int:
    problems = _library(args)
    if args.tag:
        problems = select_problems(problems, [f"tag:{t}" for t in args.tag])
    rows = []
    for p in problems.values():
        rows.append(
            [
                p.name,
                p.n,
                len(p.equality_indices),
                len(p.inequality_indices),
                "yes" if p.has_bounds else "no",
                "" if p.f_star is None else f"{p.f_star:.15g}",  # every digit the declaration gives
                " ".join(t for t in p.tags if t not in ("constrained", "bounds", "unconstrained")),
            ]
        )
    print(format_table(["problem", "n", "equalities", "inequalities", "bounds", "f*", "tags"], rows))
    print(f"\n{len(rows)} problems")
    return 0


def command_check(args: argparse.Namespace) -> int:
    from workbench.accuracy import check_derivatives

    problem = _select_one(args)
    variants = [v.strip() for v in args.derivatives.split(",")] if args.derivatives else None
    kwargs = {"random_points": args.random_points, "seed": args.seed}
    if variants:
        kwargs["variants"] = variants
    rows = check_derivatives(problem, **kwargs)
    print(problem.summary())
    if not problem.is_smooth:
        print("(non-smooth problem: complex step left out; derivatives are undefined at kinks)")
    table = [
        [r.point, r.quantity, r.variant, r.digits, r.abs_error, r.rel_error, r.predicted_error, r.evaluations]
        for r in rows
    ]
    headers = ["point", "quantity", "variant", "digits", "max abs err", "rel err", "model err", "evaluations"]
    print(format_table(headers, table))
    shown = {r.variant for r in rows}
    if "fd-richardson" in shown:
        print("fd-richardson: no textbook error model (its steps are chosen per entry by its ladder): model err is nan")
    if "fd-optimal" in shown:
        print("fd-optimal: a teaching baseline, its steps from the exact higher derivatives (not a method to pick)")
    if any(v.endswith("@textbook") for v in shown):
        print("<variant>@textbook: the same stencils at the textbook steps max(1, |x_i|), ignoring typical_x")
    if args.verbose:
        from workbench.model import compile_model

        print("\n# generated gradient program")
        print(compile_model(problem).gradient.source())
    return 0


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _options(pairs: list[str] | None) -> dict:
    from workbench.study import parse_value  # imported here: `workbench list` need not load the methods

    options = {}
    for pair in pairs or []:
        key, separator, value = pair.partition("=")
        if not separator:
            raise ValueError(f"--option {pair!r} must read NAME=VALUE, e.g. --option learning_rate=0.01")
        options[key.strip().replace("-", "_")] = parse_value(value)
    return options


def command_solve(args: argparse.Namespace) -> int:
    from workbench.runner import solve

    problem = _select_one(args)
    methods = _split(args.method)
    variants = _split(args.derivatives) or ["analytic"]
    options = _options(args.option)
    for name in ("max_iterations", "max_evaluations", "gtol", "target", "seed", "time_limit"):
        value = getattr(args, name)
        if value is not None:
            options[name] = value
    from workbench.methods import get_method

    accepted = {m: set(get_method(m).accepted_options()) for m in methods}
    unused = sorted(name for name in options if not any(name in names for names in accepted.values()))
    if unused:
        raise ValueError(f"no chosen method takes option {', '.join(unused)}; see `workbench methods`")
    print(problem.summary())
    rows = []
    for method in methods:
        own = {k: v for k, v in options.items() if k in accepted[method]}  # options apply where they can
        for variant in variants:
            r = solve(problem, method, variant, **own)
            counts = r.counts
            rows.append(
                [
                    method,
                    variant,
                    r.status,
                    r.iterations,
                    r.work,
                    counts.get("gradient", 0),
                    counts.get("hessian", 0),
                    r.wall_time,
                    r.f_error,
                    "pass" if r.verdict and r.verdict.passed else ("-" if r.verdict is None else "fail"),
                ]
            )
            if args.verbose or r.status in ("failed", "not_applicable"):
                rows[-1].append(r.message[:120])
            else:
                rows[-1].append("")
    headers = ["method", "variant", "status", "iterations", "work", "gradient calls", "hessian calls",
               "time s", "|f - f*|", "verdict", "message"]  # fmt: skip
    print(format_table(headers, rows))
    return _runs_failed(args, sum(1 for row in rows if row[2] == "failed"))


def _runs_failed(args: argparse.Namespace, failed: int) -> int:
    """Exit 1 when runs made by this command ended with status failed (said in one line on stderr)."""
    if not failed:
        return EXIT_OK
    print(f"workbench {args.command}: {failed} run(s) ended with status failed (exit code 1); their messages say "
          "why", file=sys.stderr)  # fmt: skip
    return EXIT_RUNS_FAILED


def command_methods(args: argparse.Namespace) -> int:
    from workbench.methods import available_methods

    rows = []
    for name, method in available_methods().items():
        c = method.capabilities
        rows.append([name, "yes" if c.hessian else "no", "yes" if c.hessian_model else "no",
                     "yes" if c.bounds else "no", "yes" if c.constraints else "no", method.summary])  # fmt: skip
    print(format_table(["method", "hessian", "+bfgs/+sr1", "bounds", "constraints", "what it is"], rows))
    return 0


def _read_study_file(path: str) -> dict:
    import tomllib

    if not Path(path).is_file():
        what = "is a folder" if Path(path).is_dir() else "does not exist"
        raise FileNotFoundError(f"--study {path} {what}; give the path of a TOML study file")
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:  # its message carries the line and column
        raise ValueError(f"study file {path} is not valid TOML: {error}; fix it there") from None


def _setting(settings: dict, key: str, source: str, check) -> object:
    """A study-file value, checked like the command-line option of that name."""
    value = settings.get(key)
    if value is None:
        return None
    try:
        return check(",".join(map(str, value)) if isinstance(value, list) else str(value))
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"study file {source}: {key} {error}") from None


def _study_from_arguments(args: argparse.Namespace):
    """A Study from a TOML file (``--study``) with command-line options overriding it."""
    from workbench.study import MethodSpec, Study

    settings: dict = {}
    if args.study:
        settings = _read_study_file(args.study)
        known = {"name", "problems", "methods", "derivatives", "seeds", "starts", "spread", "options", "problems_dir",
                 "jobs", "store", "time_limit", "max_evaluations"}  # fmt: skip
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(
                f"{args.study}: unknown key {', '.join(unknown)}; the study file takes {', '.join(sorted(known))}"
            )
        for key, check in (("jobs", _whole_number(1)), ("starts", _whole_number(1)), ("seeds", _seeds)):
            if settings.get(key) is not None:
                settings[key] = _setting(settings, key, args.study, check)
    methods = settings.get("methods", [])
    if isinstance(methods, dict):  # [methods.sgd] learning_rate = [0.01, 0.1]
        methods = [MethodSpec(name, **(options or {})) for name, options in methods.items()]
    if args.methods:
        methods = _split(args.methods)
    options = dict(settings.get("options", {}))
    for name in ("time_limit", "max_evaluations"):
        if settings.get(name) is not None:
            options[name] = settings[name]
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    options.update(_options(args.option))
    for key, value in list(options.items()):
        if isinstance(value, str) and "/" in value:
            raise ValueError(f"option grids belong to a method: --methods 'sgd:{key}={value}'")
    selectors = _split(args.problems) if args.problems else settings.get("problems", ["all"])
    library = _library(args, args.problems_dir or settings.get("problems_dir"))
    problems = list(select_problems(library, selectors).values())  # the library is loaded once, here
    derivatives = _split(args.derivatives) if args.derivatives else settings.get("derivatives", ["analytic"])
    seeds = args.seeds if args.seeds is not None else settings.get("seeds", [0])
    return Study(
        name=args.name or settings.get("name", "study"),
        problems=problems,
        methods=methods or ["lbfgs"],
        derivatives=derivatives,
        seeds=seeds,
        starts=args.starts or settings.get("starts", 1),
        spread=settings.get("spread", 0.5),
        options=options,
    ), settings


def command_run(args: argparse.Namespace) -> int:
    study, settings = _study_from_arguments(args)
    store = args.store or settings.get("store") or DEFAULT_STORE
    jobs = args.jobs or settings.get("jobs", 1)
    summary = study.run(store=store, jobs=jobs, scheduler=args.scheduler, rerun=args.rerun,
                        progress=False if args.quiet else None)  # fmt: skip
    print(summary.text())
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return _runs_failed(args, summary.statuses.get("failed", 0))


def command_export(args: argparse.Namespace) -> int:
    import csv
    import io
    import json

    from workbench.output import OutputFolder
    from workbench.store import load_runs, load_traces

    runs = load_runs(args.store)
    traces = load_traces(args.store) if not args.no_traces else []
    written = []
    with OutputFolder(args.output, kind="export", force=args.force) as folder:
        for name, rows in (("runs", runs), ("traces", traces)):
            if name == "traces" and args.no_traces:
                continue
            relative = f"{name}.{args.format}"
            if args.format == "json":
                text = json.dumps(rows, indent=1, default=str)
            else:
                buffer = io.StringIO()
                columns = list(rows[0]) if rows else []
                writer = csv.DictWriter(buffer, fieldnames=columns)
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()})
                text = buffer.getvalue()
            path = folder.write_text(relative, text)
            written.append(f"{path} ({len(rows)} rows)")
    print("wrote " + ", ".join(written))
    return 0


def command_report(args: argparse.Namespace) -> int:
    import os
    import time

    from workbench.output import OutputFolder
    from workbench.report import write_report
    from workbench.report.prepare import default_study, prepare

    start = time.perf_counter()
    store = args.store or DEFAULT_STORE
    jobs = args.jobs or os.cpu_count() or 1
    problems = _split(args.problems) or None
    OutputFolder(args.output, kind="report", force=args.force, keep=[store]).check()  # before anything runs
    chosen = select_problems(_library(args), problems or ["all"]) if problems or not args.from_store else None
    if not args.from_store:
        study = default_study(full=args.full, problems=list(chosen.values()), methods=_split(args.methods) or None,
                              derivatives=_split(args.derivatives) or None)  # fmt: skip
        summary = prepare(study, store, jobs=jobs, rerun=args.rerun, progress=False if args.quiet else None,
                          fragility=not args.no_fragility)  # fmt: skip
        print(f"study and checks {summary.text()}")
        if summary.interrupted:
            return EXIT_INTERRUPTED
    selected = list(chosen) if problems else None
    from workbench.progress import Progress

    def figures_line(total: int) -> Progress:
        return Progress(total, enabled=False if args.quiet else None, phase="figures", label="figures",
                        failures=False)  # fmt: skip

    written = write_report(store, args.output, problems=selected, jobs=jobs, force=args.force,
                           progress=figures_line)  # fmt: skip
    figures = sum(1 for path in written if path.suffix == ".png")
    tables = sum(1 for path in written if path.suffix == ".csv")
    index = os.path.join(args.output, "index.html")
    print(f"wrote {len(written)} files ({tables} tables, {figures} figures) to {args.output}/ in "
          f"{time.perf_counter() - start:.0f} s; open {index}")  # fmt: skip
    return 0


def command_lesson(args: argparse.Namespace) -> int:
    import os
    import time

    from workbench.lesson import write_lesson

    start = time.perf_counter()
    store = Path(args.store) if args.store else Path(args.output) / "lesson.sqlite"
    if store.is_file() and store.stat().st_size:  # a file that is no workbench store is refused before anything
        from workbench.store import Store

        Store(store, readonly=True).close()
    languages = [args.language] if args.language else ["en", "ru"]  # no --language: both pages
    written = write_lesson(args.output, store=args.store, jobs=args.jobs or os.cpu_count() or 1,
                           progress=False if args.quiet else None, language=languages,
                           force=args.force)  # fmt: skip
    pages = {"en": os.path.join(args.output, "index.html"), "ru": os.path.join(args.output, "ru", "index.html")}
    print(f"wrote {len(written)} files to {args.output}/ in {time.perf_counter() - start:.0f} s; "
          f"open {' or '.join(pages[language] for language in languages)}")  # fmt: skip
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workbench", description=__doc__.split("\n\n")[0], epilog=EXIT_CODES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--problems-dir", default=None, help="folder of problem files (default: the built-in library); "
                        "its files are imported as Python: point it only at folders you trust")  # fmt: skip
    parser.add_argument("--debug", action="store_true", help="on an error, show the traceback (and numpy's warnings)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EXIT_CODES,
                           formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
        p.add_argument("--problems-dir", default=argparse.SUPPRESS, help="folder of problem files (imported as Python)")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
        return p

    jobs = _whole_number(1)
    p = add("list", "print the problem library: name, n, constraints, bounds, known optimum")
    p.add_argument("--tag", action="append", help="only problems with this tag (repeatable)")
    p.set_defaults(run=command_list)

    p = add("check", "compare finite-difference derivatives with the exact ones at x0, x* and random points")
    p.add_argument("problem", help="problem name (see `workbench list`)")
    p.add_argument("--derivatives", help="comma-separated variants (default: every finite-difference variant, "
                   "fd-forward,fd-central,complex-step,fd-richardson,fd-optimal)")  # fmt: skip
    p.add_argument("--random-points", type=_whole_number(0), default=2, help="seeded random points inside the bounds")
    p.add_argument("--seed", type=_whole_number(0), default=0, help="seed of the random points (never global)")
    p.add_argument("--verbose", action="store_true", help="also print the generated gradient program")
    p.set_defaults(run=command_check)

    p = add("solve", "run methods on a problem in derivative variants and print one comparison table")
    p.add_argument("problem", help="problem name (see `workbench list`)")
    p.add_argument("--method", required=True, help="comma-separated methods (see `workbench methods`)")
    p.add_argument("--derivatives", default="analytic", help="comma-separated variants (default: analytic)")
    p.add_argument("--max-iterations", type=_whole_number(0))
    p.add_argument("--max-evaluations", type=_whole_number(1))
    p.add_argument("--gtol", type=float)
    p.add_argument("--target", type=float, help="stop once f - f* <= TARGET")
    p.add_argument("--seed", type=_whole_number(0))
    p.add_argument("--time-limit", type=_positive_number, help="seconds per run")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", help="a method option (repeatable)")
    p.add_argument("--verbose", action="store_true", help="print every run's message")
    p.set_defaults(run=command_solve)

    p = add("run", "run a study (problems x methods x variants x seeds) into the result store; resumable")
    p.add_argument("--study", help="a TOML study file; command-line options override it")
    p.add_argument("--name", help="study name recorded with every run (default: study)")
    p.add_argument("--problems", help="comma-separated names, tag:TAG or all (default: all)")
    p.add_argument("--methods", help="comma-separated methods; grids as 'sgd:learning_rate=0.001/0.01'")
    p.add_argument("--derivatives", help="comma-separated variants (default: analytic)")
    p.add_argument("--seeds", type=_seeds, help="comma-separated seeds (default: 0)")
    p.add_argument("--starts", type=_whole_number(1),
                   help="start points per problem: x0 and N-1 seeded ones (multi-start)")  # fmt: skip
    p.add_argument("--option", action="append", metavar="NAME=VALUE", help="an option for every run that takes it")
    p.add_argument("--time-limit", type=_positive_number, help="wall-clock seconds per run")
    p.add_argument("--max-evaluations", type=_whole_number(1), help="evaluation budget per run")
    p.add_argument("--jobs", type=jobs, help="local worker processes (default: 1)")
    p.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://HOST:8786 (pip install 'workbench[dask]')")
    p.add_argument("--store", help="result store (default: reports/results.sqlite)")
    p.add_argument("--rerun", action="store_true", help="recompute runs already in the store")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=command_run)

    p = add("export", "write stored runs and traces as CSV or JSON (the store is opened read-only)")
    p.add_argument("--store", default=DEFAULT_STORE, help=f"result store (default: {DEFAULT_STORE})")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--output", default="reports/export", help="output folder (default: reports/export)")
    p.add_argument("--no-traces", action="store_true", help="runs only")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(run=command_export)

    p = add("report", "run (or resume) the default study and the derivative checks, then write the reports")
    p.add_argument("--problems", help="comma-separated names or tag:TAG (default: the whole library)")
    p.add_argument("--methods", help="comma-separated methods (default: all)")
    p.add_argument("--derivatives", help="comma-separated variants (default: analytic and the three FD variants)")
    p.add_argument("--store", help="result store (default: reports/results.sqlite)")
    p.add_argument("--output", default="reports", help="output folder (default: reports)")
    p.add_argument("--jobs", type=jobs, help="worker processes (default: the number of CPUs)")
    p.add_argument("--from-store", action="store_true",
                   help="re-render from the store (opened read-only) without running anything")  # fmt: skip
    p.add_argument("--full", action="store_true", help="the bigger study: methods' own limits, +bfgs, 3 starts")
    p.add_argument("--rerun", action="store_true", help="recompute runs and checks already in the store")
    p.add_argument("--no-fragility", action="store_true",
                   help="skip the fragility check (each run made again from x0 + 1 ulp): no run is marked fragile")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=command_report)

    p = add("lesson", "regenerate the lecture's figures and claims from the workbench's own runs")
    p.add_argument("--output", default="reports/lesson", help="output folder (default: reports/lesson)")
    p.add_argument("--store", help="result store of the lesson's runs (default: OUTPUT/lesson.sqlite)")
    p.add_argument("--jobs", type=jobs, help="worker processes (default: the number of CPUs)")
    p.add_argument("--language", choices=("en", "ru"), default=None,
                   help="write only the English page (OUTPUT/index.html) or only the Russian one "
                   "(OUTPUT/ru/index.html); default: both, from the same store")  # fmt: skip
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=command_lesson)

    p = add("methods", "list the methods: what they need and handle")
    p.set_defaults(run=command_methods)
    return parser


def _check_problems_dir(args: argparse.Namespace) -> None:
    folder = args.problems_dir
    if folder is None:
        return
    path = Path(folder)
    if not path.exists():
        raise FileNotFoundError(f"--problems-dir {folder} does not exist; give a folder of problem files")
    if not path.is_dir():
        raise NotADirectoryError(f"--problems-dir {folder} is a file, not a folder; give the folder that holds it")


@contextlib.contextmanager
def _quiet_numerics(enabled: bool) -> Iterator[None]:
    """No numpy RuntimeWarnings on the terminal, in this process and in the worker processes started
    inside (they inherit PYTHONWARNINGS; a user's own setting there comes later and wins)."""
    if not enabled:
        yield
        return
    saved = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = "ignore::RuntimeWarning" + (f",{saved}" if saved else "")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            yield
    finally:
        if saved is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = saved


def _store_of(args: argparse.Namespace) -> str:
    store = getattr(args, "store", None)
    if store:
        return str(store)
    if args.command == "lesson":
        return str(Path(args.output) / "lesson.sqlite")
    return str(DEFAULT_STORE)


_OS_FIXES = {
    errno.EACCES: "choose a writable location (--output, --store) or fix its permissions",
    errno.EPERM: "choose a writable location (--output, --store) or fix its permissions",
    errno.EROFS: "it is on a read-only disk: choose a location on a writable one (--output, --store)",
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "a part of that path is a file, not a folder: check the path",
    errno.EISDIR: "it is a folder: give a file path",
    errno.ENOSPC: "the disk is full: free some space or choose another location",
}


def describe_error(error: BaseException, args: argparse.Namespace) -> tuple[int, str]:
    """The exit code and the one sentence for an error that ended a command (module docstring)."""
    from workbench.expressions import UnsafeExpressionError
    from workbench.store import StoreError

    if isinstance(error, (StoreError, UnsafeExpressionError)):
        message = str(error)
    elif isinstance(error, sqlite3.OperationalError):
        message = (f"the result store {_store_of(args)} could not be used ({error}); check that it and its folder "
                   "are writable and not on a read-only disk, or choose another --store")  # fmt: skip
    elif isinstance(error, sqlite3.DatabaseError):
        message = (f"the result store {_store_of(args)} is damaged ({error}); restore it from a copy, or run the "
                   "study into a new --store")  # fmt: skip
    elif isinstance(error, OSError) and error.filename is not None:
        fix = _OS_FIXES.get(error.errno or 0, "check the path and its permissions")
        message = f"cannot use {error.filename} ({error.strerror or error}); {fix}"
    elif isinstance(error, KeyError):
        message = str(error.args[0]) if error.args else "unknown key"
    elif isinstance(error, (ValueError, TypeError, OSError, ImportError, NotImplementedError)):
        message = str(error)
    else:
        return EXIT_INTERNAL, " ".join(
            f"internal error ({type(error).__name__}: {error}); this is a bug in the workbench: run again with "
            "--debug for the traceback and report it".split()
        )
    return EXIT_BAD_INPUT, " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (module docstring). ``--debug`` lets errors propagate."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a bad option (2, one line already printed)
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    with _quiet_numerics(enabled=not args.debug):
        try:
            _check_problems_dir(args)
            return args.run(args)
        except KeyboardInterrupt:
            if args.debug:
                raise
            print(f"workbench {args.command}: interrupted; every finished run is kept", file=sys.stderr)
            return EXIT_INTERRUPTED
        except Exception as error:
            if args.debug:
                raise
            code, message = describe_error(error, args)
            print(f"workbench {args.command}: {message}", file=sys.stderr)
            return code


def entry() -> None:
    """The ``workbench`` console script: :func:`main` in a process with the portable kernels.

    The BLAS kernel and NumPy's SIMD loops are chosen when NumPy loads, which has happened by the time
    this runs; where :func:`workbench.reproducibility.portable_kernels` names variables not yet set (an
    x86-64 CPU with AVX2 and FMA, ``WORKBENCH_NATIVE_KERNELS`` unset), the command sets them and executes
    itself again, once (about 0.5 s), so its runs compute alike on every such machine. Study workers
    inherit the variables."""
    from workbench.reproducibility import portable_kernels

    pinned = portable_kernels()
    script = sys.argv[0] if sys.argv else ""
    if pinned and os.name == "posix" and os.path.isfile(script):
        os.environ.update(pinned)
        try:
            os.execv(sys.executable, [sys.executable, script, *sys.argv[1:]])
        except OSError:  # pragma: no cover - then this process goes on with the machine's kernels
            pass
    sys.exit(main())


if __name__ == "__main__":
    entry()
