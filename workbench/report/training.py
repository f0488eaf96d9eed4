"""The report's training page (``training.md``): the problems tagged ``data`` trained by the data study
(:mod:`workbench.report.training_plan`: the first-order family in mini-batches with per-epoch decay, beside
full-batch L-BFGS and Newton), read from the store only.

Per data problem: training curves, the full training loss (f, measured on all rows at the end of each
epoch) and the test accuracy (a declared metric, measured with it) against epochs and against work (one
unit = one pass over the training rows, the stored ``work`` of each trace record), every method on the
same axes: a full-batch iteration sees every row, so it is drawn at epoch = iteration; and a table of the
final loss, test accuracy and test loss, epochs, work and status per method (the runs' wall-clock times are
on the timings page, ``workbench.report.fragility``: they differ from one run of the report to the next).

``data_keys(store)`` are the keys of the data study's runs, which the other pages leave out;
``build(store, ...)`` returns the page, its figure jobs and a sentence for the index; ``render(job)`` draws
one figure (in a worker process).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.report.document import Figure, Heading, Links, Page, Table, Text
from workbench.report.training_plan import DATA_STUDIES, FULL_BATCH, MINI_BATCH, NEWTON_MAX_N, NEWTON_WHY_NOT
from workbench.store import Store
from workbench.table import format_number

__all__ = ["PAGE", "Training", "build", "data_keys", "data_runs", "final_row", "render"]

#: The page's target (without extension), linked from the index and the iteration-count report.
PAGE = "training"
#: The metrics drawn and tabled, by their declared names.
ACCURACY, TEST_LOSS = "test accuracy", "test loss"
#: Rows of panels: the methods of each (at most five mini-batch methods, then the full-batch ones: at most
#: seven lines to a panel).
ROWS = (("SGD and momentum", ("sgd", "momentum", "nesterov")),
        ("adaptive steps", ("adagrad", "rmsprop", "adam", "adadelta")))  # fmt: skip
#: One colour per method on every panel (tab10; the full-batch methods dashed, in black and grey).
COLOURS = {"sgd": "tab:blue", "momentum": "tab:orange", "nesterov": "tab:green", "adagrad": "tab:red",
           "rmsprop": "tab:purple", "adam": "tab:brown", "adadelta": "tab:pink", "lbfgs": "black",
           "newton": "tab:gray"}  # fmt: skip
TEXT = 9
#: Values at or below this are drawn at it on the log axis of f - lowest f.
FLOOR = 1e-16


@dataclasses.dataclass
class Training:
    """What :func:`build` returns: the page (None without data runs), its figure jobs, the index's sentence."""

    page: Page | None
    #: (problem, figure path relative to the report folder, "loss" or "accuracy", problem info) per figure
    figures: list[tuple[Any, ...]]
    summary: str


def data_keys(store: Store) -> set[str]:
    """Keys of the data study's runs (the other pages leave them out)."""
    return {key for study in DATA_STUDIES for key in store.study_keys(study)}


def data_runs(store: Store, problem: str | None = None) -> list[dict[str, Any]]:
    """The data study's runs, in the plan's method order (mini-batch, then full batch), of one problem or all."""
    keys = sorted(data_keys(store))
    rows: list[dict[str, Any]] = []
    for chunk in range(0, len(keys), 500):
        part = keys[chunk : chunk + 500]
        rows += store.runs(f"key IN ({', '.join('?' * len(part))})", tuple(part))
    order = [*MINI_BATCH, *FULL_BATCH]
    rows = [r for r in rows if problem is None or r["problem"] == problem]
    return sorted(rows, key=lambda r: (r["problem"], order.index(r["method"]) if r["method"] in order else 99,
                                       r["method"], r["seed"], r["key"]))  # fmt: skip


def _metric(info: dict[str, Any], name: str) -> int | None:
    metrics = list(info.get("metrics") or [])
    return metrics.index(name) if name in metrics else None


def curve(run: dict[str, Any], trace: dict[str, list[Any]]) -> dict[str, np.ndarray]:
    """The measured records of a run: ``epoch`` (a mini-batch run's epoch, a full-batch run's iteration),
    ``work``, ``f`` and ``metrics`` (records, metrics), records where f was measured on all rows only."""
    f = np.array(trace["f"], dtype=float)
    keep = np.isfinite(f)
    mini = run["options"].get("batch_size") is not None or run["options"].get("epochs") is not None
    if mini:
        epochs = np.array([0.0 if e is None else float(e) for e in trace["epoch"]])
        keep &= np.array([e is not None or k == 0 for e, k in zip(trace["epoch"], trace["k"], strict=True)])
    else:
        epochs = np.array(trace["k"], dtype=float)
    width = max((len(m) for m in trace["metrics"]), default=0)
    metrics = np.array([m if len(m) == width else (np.nan,) * width for m in trace["metrics"]], dtype=float)
    metrics = metrics.reshape(len(f), width)
    return {"epoch": epochs[keep], "work": np.array(trace["work"], dtype=float)[keep], "f": f[keep],
            "metrics": metrics[keep]}  # fmt: skip


def final_row(run: dict[str, Any], trace: dict[str, list[Any]], info: dict[str, Any]) -> list[Any]:
    """One row of the table: method, learning rate (the first and the last the run used, from its trace),
    rows per gradient, final loss, test accuracy, test loss, epochs (a full-batch run: iterations), work,
    status."""
    options = run["options"]
    measured = curve(run, trace)
    last = measured["metrics"][-1] if len(measured["f"]) else np.array([])
    accuracy, loss = _metric(info, ACCURACY), _metric(info, TEST_LOSS)
    batch = options.get("batch_size")
    mini = batch is not None or options.get("epochs") is not None
    rates = [r for r in trace["learning_rate"] if r is not None]
    rate_text = "none: line search"
    if mini and rates:
        start, end = format_number(rates[0]), format_number(rates[-1])
        rate_text = start if start == end else f"{start} to {end}"
    return [
        run["method"], rate_text, int(min(batch, info["samples"]) if batch is not None else info["samples"]),
        float(run["f"]) if run["f"] is not None else float("nan"),
        float(last[accuracy]) if accuracy is not None and len(last) > accuracy else None,
        float(last[loss]) if loss is not None and len(last) > loss else None,
        int(options["epochs"]) if mini and options.get("epochs") is not None else int(run["iterations"]),
        float(run["work"]), run["status"],
    ]  # fmt: skip


HEADERS = ["method", "learning rate", "rows per gradient", "final training loss", "test accuracy", "test loss",
           "epochs (full batch: iterations)", "work (passes over the data)", "status"]  # fmt: skip


#: A run whose test loss exceeds the lowest test loss of its problem by this factor is said to overfit.
OVERFIT = 2.0


def _names(methods: Sequence[str]) -> str:
    quoted = [f"`{m}`" for m in methods]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _sentence(name: str, rows: Sequence[list[Any]]) -> str:
    """The problem's answer from the table's rows, its wording chosen by comparing the numbers."""
    scored = [r for r in rows if r[4] is not None and r[5] is not None and math.isfinite(r[3])]
    if not scored:
        return f"No run of `{name}` measured its test metrics."
    lowest = min(scored, key=lambda r: r[3])
    best = max(r[4] for r in scored)
    winners = [r[0] for r in scored if r[4] == best]
    text = (f"`{name}`: the lowest training loss is `{lowest[0]}`'s {format_number(lowest[3])} (test accuracy "
            f"{lowest[4]:.3f}); the highest test accuracy, {best:.3f}, is reached by {_names(winners)}.")
    cleanest = min(scored, key=lambda r: r[5])
    if lowest[5] > OVERFIT * cleanest[5]:
        text += (f" A lower training loss did not buy a better model: `{lowest[0]}`'s test loss is "
                 f"{format_number(lowest[5])}, {lowest[5] / cleanest[5]:.0f} times the lowest (`{cleanest[0]}`'s "
                 f"{format_number(cleanest[5])}): it fits the training rows, their noise included (overfitting).")
    else:
        low = min(r[4] for r in scored)
        text += (f" Every method's test accuracy lies between {low:.3f} and {best:.3f} and its test loss within "
                 f"{max(r[5] for r in scored) / cleanest[5]:.1f} times the lowest: here the optimizers differ in how "
                 "fast they train more than in what they learn.")
    return text


def _after_one(run: dict[str, Any], trace: dict[str, list[Any]]) -> float:
    """f after one epoch (a full-batch run: after one iteration), NaN when not measured."""
    measured = curve(run, trace)
    at = measured["f"][measured["epoch"] == 1]
    return float(at[0]) if at.size else float("nan")


def _first_epoch(runs: Sequence[dict[str, Any]], traces: dict[str, dict[str, list[Any]]]) -> str:
    """The figure caption's clause on the first epoch, when every mini-batch run ends it below every full-batch
    run's first iteration (compared from the traces), else empty."""
    mini = [r for r in runs if r["options"].get("batch_size") is not None and r["options"].get("epochs")]
    full = [r for r in runs if r["options"].get("batch_size") is None and r["key"] in traces]
    if not mini or not full:
        return ""
    worst = max(_after_one(r, traces[r["key"]]) for r in mini if r["key"] in traces)
    best = min(_after_one(r, traces[r["key"]]) for r in full)
    if not worst < best:  # NaN compares False
        return ""
    updates = sorted({round(r["iterations"] / r["options"]["epochs"]) for r in mini})
    return (f"after the first epoch ({' or '.join(map(str, updates))} mini-batch updates) every mini-batch method is "
            "below every full-batch method after its first iteration, and ")


def build(store: Store, selected: Sequence[str] | None = None, *, file_name: Callable[[str], str]) -> Training:
    """The training page from the store (module docstring); ``selected``: only these problems (None: all);
    ``file_name``: a problem's name as a file name (:func:`workbench.report.pages.file_name`)."""
    runs = [r for r in data_runs(store) if not selected or r["problem"] in set(selected)]
    runs = [r for r in runs if r["status"] != "not_applicable"]
    if not runs:
        return Training(None, [], "")
    info = store.problems()
    problems = list(dict.fromkeys(r["problem"] for r in runs))
    page = Page(PAGE, "Training on data: mini-batches, epochs and full-batch methods")
    page.add(Links([("report index", "index"), ("iteration-count report", "iterations"),
                    ("accuracy report", "accuracy")], inline=True))  # fmt: skip
    mini = [r for r in runs if r["options"].get("batch_size") is not None]
    setting = ""
    if mini:
        options = mini[0]["options"]
        setting = (f"The first-order family trains in mini-batches of {options['batch_size']} rows (a seeded shuffle "
                   f"per epoch, PyTorch's DataLoader convention) for {options['epochs']} epochs, with the learning "
                   f"rate decayed per epoch (`{options['schedule']}`: halved every 5 epochs); ")  # fmt: skip
    page.add(Text(
        setting + "L-BFGS and Newton run full-batch with exact derivatives: every iteration evaluates all rows. "
        "**Work** counts passes over the training rows: an epoch of mini-batches is one pass, a full-batch "
        "evaluation of the loss, its gradient or its Hessian one each. The learning rates were tuned once, not per "
        "run (`python benchmarks/data_rates.py`: per method the rate with the lowest final training loss over the "
        "data problems); f is measured on all rows at the end of each epoch, with the test metrics, uncharged.",
        note=True))  # fmt: skip
    jobs: list[tuple[Any, ...]] = []
    summaries = []
    for name in problems:
        meta = info[name]
        mine = [r for r in runs if r["problem"] == name]
        traces = store.traces(r["key"] for r in mine)
        rows = [final_row(r, traces[r["key"]], meta) for r in mine if r["key"] in traces]
        page.add(Heading(name))
        parts = [f"{meta['samples']} training rows, n = {meta['n']} weights"]
        if meta.get("metrics"):
            parts.append("metrics " + ", ".join(meta["metrics"]))
        page.add(Text("; ".join(parts) + "." + (f" *Notes.* {meta['notes']}" if meta.get("notes") else "")))
        if not any(r["method"] == "newton" for r in mine) and meta["n"] > NEWTON_MAX_N:
            page.add(Text(f"Newton does not run on `{name}` (n = {meta['n']} > {NEWTON_MAX_N}): {NEWTON_WHY_NOT}."))
        sentence = _sentence(name, rows)
        summaries.append(sentence)
        page.add(Text(f"**Answer.** {sentence}"))
        first = _first_epoch(mine, traces)
        shown = ("f minus the lowest f any run found (the problem is convex: that is its minimum), log axis"
                 if meta.get("convex") else "f on all rows, log axis")  # fmt: skip
        for quantity, caption in (
            ("loss", f"Training loss ({shown}) against epochs (left; a full-batch method's iteration counts as one) "
                     "and against work (right; passes over the data), one row of panels per family with the "
                     f"full-batch methods dashed on both; notice that {first}how far a full-batch curve shifts "
                     "right on the work axis, where each iteration evaluates the loss and its gradient at least "
                     "once each."),
            ("accuracy", "Test accuracy (the share of the test rows classified correctly) against epochs and against "
                         "work, laid out as the loss figure (the axis starts just below the lowest accuracy after the "
                         "first epoch); notice that the curves flatten long before the loss stops falling."),
        ):
            if quantity == "accuracy" and _metric(meta, ACCURACY) is None:
                continue
            relative = f"figures/training/{file_name(name)}-{quantity}.png"
            jobs.append((name, relative, quantity, meta))
            page.add(Figure(relative, caption))
        page.add(Table(HEADERS, rows, csv=f"tables/training/{file_name(name)}.csv",
                       caption="Per method: the learning rate (the initial one where it decays), the rows each "
                               "gradient sees, the training loss at the returned weights, the test metrics there, "
                               "epochs, work (passes over the training rows) and status (the workbench's verdict: a "
                               "mini-batch run stops after its epochs, `max_iterations`)."))  # fmt: skip
    return Training(page, jobs, " ".join(summaries))


def render(job: tuple[Any, ...]) -> list[Path]:
    """Draw one training-curve figure (in a worker process): ``job`` = ("training", store, output folder,
    problem, figure path relative to the output, "loss" or "accuracy", problem info)."""
    _, store_path, output, name, relative, quantity, info = job
    with Store(Path(store_path), readonly=True) as store:
        runs = [r for r in data_runs(store, name) if r["status"] != "not_applicable"]
        traces = store.traces(r["key"] for r in runs)
    path = Path(output) / relative
    curves = {r["method"]: curve(r, traces[r["key"]]) for r in runs if r["key"] in traces}
    lowest = min((float(np.min(c["f"])) for c in curves.values() if len(c["f"])), default=0.0)
    training_curves(path, name, curves, quantity=quantity, accuracy=_metric(info, ACCURACY),
                    reference=lowest if info.get("convex") else None)  # fmt: skip
    return [path]


def training_curves(
    path: Path,
    problem: str,
    curves: dict[str, dict[str, np.ndarray]],
    *,
    quantity: str,
    accuracy: int | None,
    reference: float | None = None,
) -> None:
    """The training loss (``quantity="loss"``, log axis; f - ``reference`` when one is given, values at or
    below 1e-16 drawn there) or the test accuracy (from just below its lowest value after the first epoch)
    against epochs (left column) and work (right column), one row of panels per family of :data:`ROWS`, the
    full-batch methods on every row."""
    from matplotlib.figure import Figure as Canvas

    from workbench.report.figures import log_axis, save_png  # sets the Agg backend first

    full = [m for m in FULL_BATCH if m in curves]
    rows = [(label, [m for m in members if m in curves]) for label, members in ROWS]
    rows = [(label, members) for label, members in rows if members] or [("full batch", [])]
    width, height = 12.5, 3.5 * len(rows) + 0.9
    figure = Canvas(figsize=(width, height))
    axes = np.array(figure.subplots(len(rows), 2, squeeze=False, sharex="col", sharey=True))
    figure.subplots_adjust(left=0.08, right=0.8, top=1 - 0.75 / height, bottom=0.55 / height, wspace=0.08,
                           hspace=0.3)  # fmt: skip
    for row, (label, members) in enumerate(rows):
        for column, axis in enumerate(("epoch", "work")):
            ax = axes[row, column]
            for method in [*members, *full]:
                measured = curves[method]
                if quantity == "loss":
                    y = measured["f"] if reference is None else np.maximum(measured["f"] - reference, FLOOR)
                else:
                    y = measured["metrics"][:, accuracy]
                dashed = method in FULL_BATCH
                ax.plot(measured[axis], y, color=COLOURS.get(method, "0.3"), linestyle="--" if dashed else "-",
                        marker="s" if dashed else "o", markersize=3, linewidth=1.4, label=method)  # fmt: skip
            if quantity == "loss":
                log_axis(ax, "y")
            else:
                later = [c["metrics"][c["epoch"] >= 1, accuracy] for c in curves.values()]
                low = min((float(np.nanmin(v)) for v in later if v.size), default=0.0)
                ax.set_ylim(max(0.0, low - 0.02), 1.005)
            ax.grid(True, which="major", alpha=0.3)
            ax.tick_params(labelsize=TEXT - 1)
            ax.set_title(f"{label}: against {'epochs' if axis == 'epoch' else 'work'}", fontsize=TEXT)
            if row == len(rows) - 1:
                ax.set_xlabel("epoch (full batch: iteration)" if axis == "epoch" else
                              "work: passes over the training rows", fontsize=TEXT)  # fmt: skip
        loss = "training loss f (log)" if reference is None else f"f - lowest f found\n({reference:.6g}; log)"
        axes[row, 0].set_ylabel(loss if quantity == "loss" else "test accuracy (fraction)", fontsize=TEXT)
        axes[row, 1].legend(title="method", fontsize=TEXT, title_fontsize=TEXT, loc="upper left",
                            bbox_to_anchor=(1.03, 1.0), borderaxespad=0)  # fmt: skip
    what = "training loss (all rows)" if quantity == "loss" else "test accuracy"
    figure.suptitle(f"{problem}: {what} against epochs and against work; full-batch methods dashed", fontsize=TEXT + 2)
    save_png(figure, path)
