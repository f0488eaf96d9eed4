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
from workbench.table import format_table

__all__ = ["main"]


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
    if args.verbose:
        from workbench.compile import compile_problem

        print("\n# generated gradient program")
        print(compile_problem(problem).gradient.source())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--problems-dir", default=None, help="folder of problem files (default: the built-in library)"
    )
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
    p.add_argument(
        "--derivatives", help="comma-separated variants (default: fd-forward,fd-central,complex-step)"
    )
    p.add_argument("--random-points", type=int, default=2, help="seeded random points inside the bounds")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (recorded, never global)")
    p.add_argument("--verbose", action="store_true", help="also print the generated gradient program")
    p.set_defaults(run=command_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (KeyError, ValueError, FileNotFoundError, ImportError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"workbench {args.command}: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
