"""The ``workbench`` command: a thin layer over the library.

workbench list                      the problem library
workbench check PROBLEM             finite differences against exact derivatives
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from workbench.discovery import discover_problems, select_problems
from workbench.store import DEFAULT_STORE
from workbench.table import format_table

__all__ = ["main"]

FORCE_HELP = (
    "write into a folder that holds files the workbench did not write (they are never deleted or "
    "overwritten; without --force such a folder is refused)"
)


def _problems(args: argparse.Namespace):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # declaration warnings are for authors, not for listing
        return discover_problems(args.problems_dir)


def _select_one(args: argparse.Namespace):
    problems = _problems(args)
    return select_problems(problems, [args.problem])[args.problem]


def command_list(args: argparse.Namespace) -> int:
    problems = _problems(args)
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
                p.f_star,
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
                    r.evaluations,
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
    headers = ["method", "variant", "status", "iterations", "evaluations", "gradient calls", "hessian calls",
               "time s", "|f - f*|", "verdict", "message"]  # fmt: skip
    print(format_table(headers, rows))
    return 0


def command_methods(args: argparse.Namespace) -> int:
    from workbench.methods import available_methods

    rows = []
    for name, method in available_methods().items():
        c = method.capabilities
        rows.append([name, "yes" if c.hessian else "no", "yes" if c.hessian_model else "no",
                     "yes" if c.bounds else "no", "yes" if c.constraints else "no", method.summary])  # fmt: skip
    print(format_table(["method", "hessian", "+bfgs/+sr1", "bounds", "constraints", "what it is"], rows))
    return 0


def _study_from_arguments(args: argparse.Namespace):
    """A Study from a TOML file (``--study``) with command-line options overriding it."""
    from workbench.study import MethodSpec, Study

    settings: dict = {}
    if args.study:
        import tomllib

        with open(args.study, "rb") as handle:
            settings = tomllib.load(handle)
        known = {"name", "problems", "methods", "derivatives", "seeds", "starts", "spread", "options", "problems_dir",
                 "jobs", "store", "time_limit", "max_evaluations"}  # fmt: skip
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(
                f"{args.study}: unknown key {', '.join(unknown)}; the study file takes {', '.join(sorted(known))}"
            )
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
    problems = _split(args.problems) if args.problems else settings.get("problems", ["all"])
    derivatives = _split(args.derivatives) if args.derivatives else settings.get("derivatives", ["analytic"])
    seeds = [int(s) for s in _split(args.seeds)] if args.seeds else settings.get("seeds", [0])
    return Study(
        name=args.name or settings.get("name", "study"),
        problems=problems,
        methods=methods or ["lbfgs"],
        derivatives=derivatives,
        seeds=seeds,
        starts=args.starts or settings.get("starts", 1),
        options=options,
        problems_dir=args.problems_dir or settings.get("problems_dir"),
    ), settings


def command_run(args: argparse.Namespace) -> int:
    study, settings = _study_from_arguments(args)
    store = args.store or settings.get("store") or DEFAULT_STORE
    jobs = args.jobs or settings.get("jobs", 1)
    summary = study.run(store=store, jobs=jobs, scheduler=args.scheduler, rerun=args.rerun,
                        progress=False if args.quiet else None)  # fmt: skip
    print(summary.text())
    return 130 if summary.interrupted else 0


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
    if not args.from_store:
        study = default_study(full=args.full, problems=problems, methods=_split(args.methods) or None,
                              derivatives=_split(args.derivatives) or None, problems_dir=args.problems_dir)  # fmt: skip
        summary = prepare(study, store, jobs=jobs, rerun=args.rerun, progress=False if args.quiet else None)
        print(summary.text())
        if summary.interrupted:
            return 130
    selected = None
    if problems:
        from workbench.study import Study

        selected = list(Study(problems=problems, problems_dir=args.problems_dir).resolve_problems())
    written = write_report(store, args.output, problems=selected, jobs=jobs, force=args.force)
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
    languages = [args.language] if args.language else ["en", "ru"]  # no --language: both pages
    written = write_lesson(args.output, store=args.store, jobs=args.jobs or os.cpu_count() or 1,
                           progress=False if args.quiet else None, language=languages,
                           force=args.force)  # fmt: skip
    pages = {"en": os.path.join(args.output, "index.html"), "ru": os.path.join(args.output, "ru", "index.html")}
    print(f"wrote {len(written)} files to {args.output}/ in {time.perf_counter() - start:.0f} s; "
          f"open {' or '.join(pages[language] for language in languages)}")  # fmt: skip
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems-dir", default=None, help="folder of problem files (default: the built-in library)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--problems-dir", default=argparse.SUPPRESS, help="folder of problem files")
        return p

    p = add("list", "print the problem library: name, n, constraints, bounds, known optimum")
    p.add_argument("--tag", action="append", help="only problems with this tag (repeatable)")
    p.set_defaults(run=command_list)

    p = add("check", "compare finite-difference derivatives with the exact ones at x0, x* and random points")
    p.add_argument("problem", help="problem name (see `workbench list`)")
    p.add_argument("--derivatives", help="comma-separated variants (default: every finite-difference variant, "
                   "fd-forward,fd-central,complex-step,fd-richardson,fd-optimal)")  # fmt: skip
    p.add_argument("--random-points", type=int, default=2, help="seeded random points inside the bounds")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (recorded, never global)")
    p.add_argument("--verbose", action="store_true", help="also print the generated gradient program")
    p.set_defaults(run=command_check)

    p = add("solve", "run methods on a problem in derivative variants and print one comparison table")
    p.add_argument("problem", help="problem name (see `workbench list`)")
    p.add_argument("--method", required=True, help="comma-separated methods (see `workbench methods`)")
    p.add_argument("--derivatives", default="analytic", help="comma-separated variants (default: analytic)")
    p.add_argument("--max-iterations", type=int)
    p.add_argument("--max-evaluations", type=int)
    p.add_argument("--gtol", type=float)
    p.add_argument("--target", type=float, help="stop once f - f* <= TARGET")
    p.add_argument("--seed", type=int)
    p.add_argument("--time-limit", type=float, help="seconds per run")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", help="a method option (repeatable)")
    p.add_argument("--verbose", action="store_true", help="print every run's message")
    p.set_defaults(run=command_solve)

    p = add("run", "run a study (problems x methods x variants x seeds) into the result store; resumable")
    p.add_argument("--study", help="a TOML study file; command-line options override it")
    p.add_argument("--name", help="study name recorded with every run (default: study)")
    p.add_argument("--problems", help="comma-separated names, tag:TAG or all (default: all)")
    p.add_argument("--methods", help="comma-separated methods; grids as 'sgd:learning_rate=0.001/0.01'")
    p.add_argument("--derivatives", help="comma-separated variants (default: analytic)")
    p.add_argument("--seeds", help="comma-separated seeds (default: 0)")
    p.add_argument("--starts", type=int, help="start points per problem: x0 and N-1 seeded ones (multi-start)")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", help="an option for every run that takes it")
    p.add_argument("--time-limit", type=float, help="wall-clock seconds per run")
    p.add_argument("--max-evaluations", type=int, help="evaluation budget per run")
    p.add_argument("--jobs", type=int, help="local worker processes (default: 1)")
    p.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://HOST:8786 (pip install 'workbench[dask]')")
    p.add_argument("--store", help="result store (default: reports/results.sqlite)")
    p.add_argument("--rerun", action="store_true", help="recompute runs already in the store")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=command_run)

    p = add("export", "write stored runs and traces as CSV or JSON")
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
    p.add_argument("--jobs", type=int, help="worker processes (default: the number of CPUs)")
    p.add_argument("--from-store", action="store_true", help="re-render from the store without running anything")
    p.add_argument("--full", action="store_true", help="the bigger study: methods' own limits, +bfgs, 3 starts")
    p.add_argument("--rerun", action="store_true", help="recompute runs and checks already in the store")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=command_report)

    p = add("lesson", "regenerate the lecture's figures and claims from the workbench's own runs")
    p.add_argument("--output", default="reports/lesson", help="output folder (default: reports/lesson)")
    p.add_argument("--store", help="result store of the lesson's runs (default: OUTPUT/lesson.sqlite)")
    p.add_argument("--jobs", type=int, help="worker processes (default: the number of CPUs)")
    p.add_argument("--language", choices=("en", "ru"), default=None,
                   help="write only the English page (OUTPUT/index.html) or only the Russian one "
                   "(OUTPUT/ru/index.html); default: both, from the same store")  # fmt: skip
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=command_lesson)

    p = add("methods", "list the methods: what they need and handle")
    p.set_defaults(run=command_methods)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (KeyError, ValueError, TypeError, FileNotFoundError, ImportError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"workbench {args.command}: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
