"""Section 10, training from data: the lecture's network (``breast_cancer_network``) trained by stochastic
gradient descent in mini-batches. What an epoch is (N/B updates, one pass over the data, one unit of work);
mini-batch noise against batch size (the spread of the batch gradient at x0, measured and predicted, and
the loss curves of SGD with batches of 8, 32, 128 rows and the full batch: study ``lesson-batch-sizes``);
a learning rate decayed per epoch against a constant one (study ``lesson-epoch-decay``, whose constant runs
are the batch-size study's); and a gradient check of the network: the exact gradient against forward,
central and Richardson differences, the relative error of every weight by layer, and what the check costs
in passes over the data. The spread and the check are facts the run side stored
(:func:`workbench.lesson.runs.training_facts`); this module only reads.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import Curve, FigureSpec, PlotPanel, draw
from workbench.lesson.plan import DATA_PROBLEM, EPOCH_DECAY, GRADIENT_CHECK
from workbench.lesson.results import StudyRuns
from workbench.lesson.text import SEEDS, UPDATES, code, form_ru, number, plural_ru, ratio, ratio_ru
from workbench.report.document import Figure, Heading, Table, Text
from workbench.report.figures import VARIANT_COLOURS  # one colour per variant in every figure

__all__ = ["LATE", "build", "epoch_curve", "rises"]

#: The late epochs in which the decay's effect on the noise is counted (the last LATE epochs of a run).
LATE = 10
#: One colour per batch size (the full batch last), and per schedule.
BATCH_COLOURS = ("tab:blue", "tab:orange", "tab:green", "black")
SCHEDULE_COLOURS = {"constant": "tab:blue", EPOCH_DECAY: "tab:red"}
SEED_STYLES = ("-", "--", ":")
PASSES = ("проход", "прохода", "проходов")
EPOCHS_RU = ("эпоха", "эпохи", "эпох")
EPOCHS_GENITIVE = ("эпохи", "эпох", "эпох")
ROWS_RU = ("строка", "строки", "строк")
BATCHES_RU = ("мини-батч", "мини-батча", "мини-батчей")


def epoch_curve(runs: StudyRuns, row: dict[str, Any]) -> dict[str, np.ndarray]:
    """The records of a run where the full loss was measured (x0 and the end of every epoch): ``epoch``
    (0, 1, ...), ``k`` (updates made), ``work``, ``f`` and ``accuracy`` (the first declared metric)."""
    trace = runs.trace(row)
    keep = [i for i, (k, e) in enumerate(zip(trace["k"], trace["epoch"], strict=True)) if k == 0 or e is not None]
    return {
        "epoch": np.array([0 if trace["epoch"][i] is None else trace["epoch"][i] for i in keep], dtype=float),
        "k": np.array([trace["k"][i] for i in keep], dtype=float),
        "work": np.array([trace["work"][i] for i in keep], dtype=float),
        "f": np.array([trace["f"][i] for i in keep], dtype=float),
        "accuracy": np.array([trace["metrics"][i][0] if trace["metrics"][i] else np.nan for i in keep], dtype=float),
        "test_loss": np.array([trace["metrics"][i][1] if len(trace["metrics"][i]) > 1 else np.nan for i in keep],
                              dtype=float),  # fmt: skip
    }


def rises(f: np.ndarray, last: int | None = None) -> tuple[int, float]:
    """How many epochs ended with a higher full loss than the one before (among the ``last`` epochs, or all),
    and the largest such rise as a factor f_e / f_(e-1) (1 when none)."""
    ratios = f[1:] / f[:-1]
    if last is not None:
        ratios = ratios[-last:]
    up = ratios[ratios > 1]
    return int(up.size), float(up.max()) if up.size else 1.0


def _label(size: int | None, samples: int, say: Any) -> str:
    if size is None:
        return say(en=f"full batch (B = {samples})", ru=f"полный батч (B = {samples})")
    return f"B = {size}"


def _updates_sentence(size: int | None, updates: int, samples: int, say: Any) -> str:
    """"B = 32: 15 (14 batches of 32 and one of 7)" in the page's language."""
    if size is None:
        return say(en=f"the full batch: {updates} (all {samples} rows)",
                   ru=f"полный батч: {updates} (все {samples} {form_ru(samples, *ROWS_RU)})")  # fmt: skip
    last = samples - (updates - 1) * size
    by = form_ru(size, "строке", "строки", "строк")
    if last == size:
        return say(en=f"B = {size}: {updates} (batches of {size})",
                   ru=f"B = {size}: {updates} (мини-батчи по {size} {by})")  # fmt: skip
    return say(
        en=f"B = {size}: {updates} ({updates - 1} batches of {size} and one of {last})",
        ru=f"B = {size}: {updates} ({updates - 1} {form_ru(updates - 1, *BATCHES_RU)} по {size} {by} и один из {last})",
    )  # fmt: skip


def build(lesson: Lesson) -> Section:
    say = lesson.say
    info = lesson.info[DATA_PROBLEM]
    facts = lesson.facts[DATA_PROBLEM]
    blocks: list[Any] = []
    figures: list[FigureJob] = []
    layers = ", ".join(f"{name} {'×'.join(map(str, shape))}" for name, shape in zip(info["variables"], info["shapes"],
                                                                                      strict=True))  # fmt: skip
    samples, n = info["samples"], info["n"]
    blocks.append(Text(say(
        en=f"The lecture's setting: a network trained on data. {code(DATA_PROBLEM)} classifies the Breast Cancer "
        f"Wisconsin data set: N = {samples} training rows, one tanh hidden layer and a softmax output, n = {n} weights "
        f"({layers}), trained on the mean cross-entropy over the rows. A mean over rows can be sampled: stochastic "
        "gradient descent (SGD) takes each step along the gradient of a mini-batch of B rows instead of all N.",
        ru=f"Обстановка лекции: сеть, обучаемая на данных. {code(DATA_PROBLEM)} классифицирует набор данных Breast "
        f"Cancer Wisconsin: N = {samples} {form_ru(samples, *ROWS_RU)} обучающей выборки, один скрытый слой с tanh и "
        f"выход softmax, n = {n} {form_ru(n, 'вес', 'веса', 'весов')} ({layers}); функция потерь — средняя "
        "перекрёстная энтропия по строкам. Среднее по строкам можно оценивать по выборке: стохастический "
        "градиентный спуск (SGD) делает каждый шаг по градиенту мини-батча из B строк вместо всех N.",
    )))  # fmt: skip
    _epochs(lesson, blocks)
    _batch_sizes(lesson, blocks, figures)
    _decay(lesson, blocks, figures)
    _gradient_check(lesson, facts["gradient_check"], blocks, figures)
    heading = say(en="10. Training from data: mini-batches, epochs and a gradient check",
                  ru="10. Обучение на данных: мини-батчи, эпохи и проверка градиента")  # fmt: skip
    return Section(heading, blocks, figures)


def _sizes(runs: StudyRuns) -> list[int | None]:
    sizes = {r["options"]["batch_size"] for r in runs.rows}
    return sorted(s for s in sizes if s is not None) + ([None] if None in sizes else [])


def _epochs(lesson: Lesson, blocks: list[Any]) -> None:
    """10.1: an epoch is N/B updates and one pass over the data; the work axis."""
    say = lesson.say
    runs = lesson.runs["lesson-batch-sizes"]
    samples = lesson.info[DATA_PROBLEM]["samples"]
    parts, deviation, records = [], 0.0, 0
    for size in _sizes(runs):
        rows = runs.select(batch_size=size)
        updates = {r["iterations"] // r["options"]["epochs"] for r in rows}
        parts.append(_updates_sentence(size, min(updates), samples, say))
        for row in rows:
            measured = epoch_curve(runs, row)
            deviation = max(deviation, float(np.max(np.abs(measured["work"] - measured["epoch"]))))
            records += len(measured["epoch"])
    exactly = deviation < 1e-9
    blocks.append(Heading(say(en="10.1 An epoch, and the work axis", ru="10.1 Эпоха и ось работы"), 3))
    blocks.append(Text(say(
        en="An epoch is one pass over the training rows: they are shuffled (a seeded permutation per epoch, "
        "PyTorch's DataLoader convention) and cut into ⌈N/B⌉ mini-batches, the last one smaller, each making one "
        f"update. With N = {samples}, the updates per epoch (read from the stored runs: updates made / epochs) are "
        + say.join(parts) + ". Work counts the rows each batch gradient read, divided by N, so an epoch is one unit "
        "of work whatever B is: "
        + (f"in all {records} stored end-of-epoch records the work equals the epoch number exactly."
           if exactly else f"the stored work at the end of epoch e differs from e by at most {number(deviation)}.")
        + " That is the work axis of the report's training page, where a full-batch gradient costs one unit too.",
        ru="Эпоха — это один проход по обучающей выборке: строки перемешиваются (своя перестановка на каждую эпоху "
        "по зерну генератора, как в DataLoader из PyTorch) и режутся на ⌈N/B⌉ мини-батчей, последний меньше "
        f"остальных; каждый мини-батч даёт один шаг. При N = {samples} число шагов за эпоху (по сохранённым "
        "прогонам: шаги / эпохи) такое: " + say.join(parts) + ". Работа считает строки, прочитанные "
        "градиентами мини-батчей, делённые на N, поэтому эпоха — одна единица работы при любом B: "
        + (f"во всех {records} сохранённых записях конца эпохи работа в точности равна номеру эпохи."
           if exactly else f"сохранённая работа в конце эпохи e отличается от e не больше чем на {number(deviation)}.")
        + " Это ось работы на странице обучения в отчёте, где градиент по всей выборке тоже стоит одну единицу.",
    )))  # fmt: skip


def _batch_sizes(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    """10.2: the spread of the batch gradient (facts) and the loss curves per batch size (runs)."""
    say = lesson.say
    runs = lesson.runs["lesson-batch-sizes"]
    samples = lesson.info[DATA_PROBLEM]["samples"]
    spread = lesson.facts[DATA_PROBLEM]["batch_spread"]
    sizes, measured, predicted = spread["sizes"], spread["measured"], spread["predicted"]
    blocks.append(Heading(say(en="10.2 Mini-batch noise against batch size",
                              ru="10.2 Шум мини-батча и его размер"), 3))  # fmt: skip
    values = say.join(f"{number(m)} (B = {b})" for m, b in zip(measured, sizes, strict=True))
    theory = say.join(number(p) for p in predicted)
    agree = all(abs(m / p - 1) <= 0.1 for m, p in zip(measured, predicted, strict=True))
    factor = sizes[-1] / sizes[0]
    blocks.append(Text(say(
        en=f"At x0 the mini-batch gradient g_B scatters around the full gradient g. Over {spread['draws']} batches "
        f"of each size drawn without replacement its relative spread √E‖g_B − g‖² / ‖g‖ is {values}. Sampling "
        "theory predicts σ²/B times the finite-population factor (N − B)/(N − 1) for E‖g_B − g‖², with σ² the "
        f"mean of ‖g_i − g‖² over the rows: {theory}; "
        + ("the measurements agree within 10%. " if agree else "the measurements stray from it by more than 10%. ")
        + f"{number(factor)} times the rows cut the spread by {ratio(measured[0], measured[-1])} (√{number(factor)} "
        f"= "
        f"{number(math.sqrt(factor))} without the finite-population factor): the noise falls as 1/√B, and the full "
        "batch has none.",
        ru=f"В x0 градиент мини-батча g_B разбросан вокруг полного градиента g. По {spread['draws']} мини-батчам "
        f"каждого размера, выбранным без возвращения, его относительный разброс √E‖g_B − g‖² / ‖g‖ равен {values}. "
        "Теория выборок предсказывает для E‖g_B − g‖² величину σ²/B, умноженную на поправку на конечную "
        "совокупность (N − B)/(N − 1), где σ² — среднее ‖g_i − g‖² по строкам: "
        f"{theory}; "
        + ("измерения совпадают с ней с точностью до 10%. " if agree
           else "измерения отходят от неё больше чем на 10%. ")
        + f"В {number(factor)} {form_ru(number(factor), 'раз', 'раза', 'раз')} больше строк уменьшают разброс "
        f"{ratio_ru(measured[0], measured[-1])} (√{number(factor)} = {number(math.sqrt(factor))} без поправки на "
        "конечную совокупность): шум падает как 1/√B, а у полного батча его нет.",
    )))  # fmt: skip
    first = runs.rows[0]["options"]
    rate, epochs = first["learning_rate"], first["epochs"]
    seeds = sorted({r["seed"] for r in runs.rows})
    table, summary = [], {}
    loss_curves, update_curves = [], []
    for colour, size in zip(BATCH_COLOURS, _sizes(runs), strict=False):
        rows = runs.select(batch_size=size)
        curves = [epoch_curve(runs, r) for r in sorted(rows, key=lambda r: r["seed"])]
        finals = [float(c["f"][-1]) for c in curves]
        up = sum(rises(c["f"])[0] for c in curves)
        updates = rows[0]["iterations"] // rows[0]["options"]["epochs"]
        accuracy = float(np.mean([c["accuracy"][-1] for c in curves]))
        summary[size] = {"loss": float(np.mean(finals)), "range": max(finals) - min(finals), "rises": up,
                         "updates": updates, "accuracy": accuracy}  # fmt: skip
        table.append([_label(size, samples, say), updates, summary[size]["loss"], summary[size]["range"], up,
                      accuracy])  # fmt: skip
        label = _label(size, samples, say)
        loss_curves.append(Curve(label, curves[0]["epoch"], curves[0]["f"], colour, marker="."))
        update_curves.append(Curve(label, curves[0]["k"][1:], curves[0]["f"][1:], colour, marker="."))
    headers = say(
        en="batch size|updates per epoch|final training loss, mean over seeds|final loss, max − min over seeds|"
        "epochs in which the loss rose, all seeds|test accuracy, mean over seeds",
        ru="размер мини-батча|шагов за эпоху|итоговая потеря на обучении, среднее по зёрнам|итоговая потеря, "
        "max − min по зёрнам|эпох с ростом потери, все зёрна|точность на тесте, среднее по зёрнам",
    )  # fmt: skip
    blocks.append(Text(say(
        en=f"The runs: SGD at the constant learning rate {number(rate)} for {epochs} epochs with each batch size, "
        f"{len(seeds)} seeds (the shuffles differ; the full batch has nothing to shuffle). The loss in the table is "
        "the full training loss, measured on all rows at the end of the last epoch.",
        ru=f"Прогоны: SGD с постоянной скоростью обучения {number(rate)}, {plural_ru(epochs, *EPOCHS_RU)}, с каждым "
        f"размером мини-батча, {plural_ru(len(seeds), *SEEDS)} (перемешивания различаются; полному батчу нечего "
        "перемешивать). Потеря в таблице — полная потеря на обучающей выборке, измеренная по всем строкам в конце "
        "последней эпохи.",
    )))  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/batch-sizes.csv"))
    ordered = [s for s in _sizes(runs)]
    smallest, full = ordered[0], ordered[-1]
    best = min(summary, key=lambda s: summary[s]["loss"])
    noisy = summary[smallest]
    calm = summary[full]
    total = len(seeds) * epochs
    if best == smallest:
        lead = say(
            en=f"After {epochs} epochs the smallest batch is furthest down: B = {smallest} ended at "
            f"{number(noisy['loss'])}, the full batch at {number(calm['loss'])}. Per pass over the data B = "
            f"{smallest} makes {noisy['updates']} updates, the full batch {calm['updates']}: at a fixed learning rate "
            "more, noisier steps beat fewer exact ones.",
            ru=f"После {plural_ru(epochs, *EPOCHS_GENITIVE)} дальше всех продвинулся самый маленький мини-батч: B = "
            f"{smallest} закончил на {number(noisy['loss'])}, полный батч — на {number(calm['loss'])}. За один проход "
            f"по данным B = {smallest} делает {plural_ru(noisy['updates'], *UPDATES)}, полный батч — "
            f"{calm['updates']}: при постоянной скорости обучения много шумных шагов обгоняют немногие точные.",
        )  # fmt: skip
    else:
        lead = say(
            en=f"After {epochs} epochs the lowest loss, {number(summary[best]['loss'])}, belongs to "
            f"{_label(best, samples, say)}, not to the smallest batch (B = {smallest}: {number(noisy['loss'])}): "
            "its noise cost more than its extra updates gained.",
            ru=f"После {plural_ru(epochs, *EPOCHS_GENITIVE)} самая низкая потеря, {number(summary[best]['loss'])}, у "
            f"{_label(best, samples, say)}, а не у самого маленького мини-батча (B = {smallest}: "
            f"{number(noisy['loss'])}): его шум стоил больше, чем дали лишние шаги.",
        )  # fmt: skip
    calm_en = "never" if calm["rises"] == 0 else f"{calm['rises']} times"
    calm_ru = "ни разу" if calm["rises"] == 0 else f"{calm['rises']} {form_ru(calm['rises'], 'раз', 'раза', 'раз')}"
    noise = say(
        en=f"The price is noise: with B = {smallest} the full loss rose from one epoch to the next {noisy['rises']} "
        f"times in {total} epochs (all seeds), with the full batch {calm_en}, and the final losses of the seeds "
        f"differ by {number(noisy['range'])} against {number(calm['range'])}.",
        ru=f"Цена — шум: при B = {smallest} полная потеря росла от эпохи к эпохе {noisy['rises']} "
        f"{form_ru(noisy['rises'], 'раз', 'раза', 'раз')} за {total} {form_ru(total, *EPOCHS_RU)} (все зёрна), у "
        f"полного батча — {calm_ru}, а итоговые потери разных зёрен расходятся на {number(noisy['range'])} против "
        f"{number(calm['range'])}.",
    )  # fmt: skip
    blocks.append(Text(f"{lead} {noise}"))
    spread_curves = [
        Curve(say(en="measured", ru="измерено"), sizes, measured, "black", style="none", marker="o"),
        Curve(say(en="predicted: σ/√B · √((N − B)/(N − 1))", ru="теория: σ/√B · √((N − B)/(N − 1))"), sizes,
              predicted, "tab:gray", style="--"),
    ]  # fmt: skip
    spec = FigureSpec(
        say(en=f"SGD on {DATA_PROBLEM} with mini-batches of several sizes (learning rate {number(rate)}, seed "
               f"{seeds[0]})",
            ru=f"SGD на {DATA_PROBLEM} с мини-батчами разного размера (скорость обучения {number(rate)}, зерно "
               f"{seeds[0]})"),
        [
            PlotPanel(say(en="full training loss at the end of each epoch", ru="полная потеря в конце каждой эпохи"),
                      say(en="epoch (passes over the data)", ru="эпоха (проходы по данным)"),
                      say(en="training loss f (log)", ru="потеря на обучении f (лог. шкала)"), loss_curves),
            PlotPanel(say(en="the same against updates", ru="то же по шагам"), say.term("update k (log)"),
                      say(en="training loss f (log)", ru="потеря на обучении f (лог. шкала)"), update_curves,
                      logx=True),
            PlotPanel(say(en="spread of the batch gradient at x0", ru="разброс градиента мини-батча в x0"),
                      say(en="batch size B (rows, log)", ru="размер мини-батча B (строк, лог. шкала)"),
                      say(en="√E‖g_B − g‖² / ‖g‖ (dimensionless)", ru="√E‖g_B − g‖² / ‖g‖ (безразмерный)"),
                      spread_curves, logx=True, logy=False, xticks=sizes,
                      ylim=(0.0, 1.1 * max(*measured, *predicted))),
        ],
        panel_size=(4.9, 4.2),
        language=lesson.language,
    )  # fmt: skip
    figure = FigureJob("figures/batch-sizes.png", draw, spec)
    figures.append(figure)
    blocks.append(Figure(figure.path, say(
        en="Left: the full training loss after each epoch for each batch size; middle: the same against updates "
        f"(the full batch makes one per epoch, B = {smallest} makes {noisy['updates']}); right: the spread of the "
        f"batch gradient at x0, measured over {spread['draws']} batches per size and predicted; notice which batch "
        "size is ahead per epoch and which per update.",
        ru="Слева: полная потеря на обучении после каждой эпохи для каждого размера мини-батча; в центре: то же по "
        f"шагам (полный батч делает один шаг за эпоху, B = {smallest} — {noisy['updates']}); справа: разброс "
        f"градиента мини-батча в x0, измеренный по {spread['draws']} мини-батчам каждого размера, и теория; обратите "
        "внимание, какой размер впереди по эпохам, а какой — по шагам.",
    )))  # fmt: skip


def _decay(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    """10.3: the same SGD with a constant learning rate and with the rate halved every 5 epochs."""
    say = lesson.say
    runs = lesson.runs["lesson-epoch-decay"]
    schedules = list(dict.fromkeys(r["options"]["schedule"] for r in runs.rows))
    first = runs.rows[0]["options"]
    rate, size, epochs = first["learning_rate"], first["batch_size"], first["epochs"]
    seeds = sorted({r["seed"] for r in runs.rows})
    table, summary = [], {}
    rate_curves, loss_curves, accuracy_curves = [], [], []
    for schedule in schedules:
        rows = sorted(runs.select(schedule=schedule), key=lambda r: r["seed"])
        curves = [epoch_curve(runs, r) for r in rows]
        late = [rises(c["f"], LATE) for c in curves]
        trace = runs.trace(rows[0])
        used = [(k, r) for k, r in zip(trace["k"], trace["learning_rate"], strict=True) if r is not None]
        updates = rows[0]["iterations"] // epochs
        summary[schedule] = {
            "loss": float(np.mean([c["f"][-1] for c in curves])),
            "accuracy": float(np.mean([c["accuracy"][-1] for c in curves])),
            "test_loss": float(np.mean([c["test_loss"][-1] for c in curves])),
            "rises": sum(count for count, _ in late), "largest": max(top for _, top in late),
            "first": used[0][1], "last": used[-1][1],
        }  # fmt: skip
        entry = summary[schedule]
        table.append([code(schedule), entry["first"], entry["last"], entry["loss"], entry["test_loss"],
                      entry["accuracy"], entry["rises"], entry["largest"]])  # fmt: skip
        colour = SCHEDULE_COLOURS.get(schedule, "tab:gray")
        name = say(en="constant", ru="постоянная") if schedule == "constant" else say(en="step decay per epoch",
                                                                                      ru="ступенчатое по эпохам")
        rate_curves.append(Curve(name, [(k - 1) / updates for k, _ in used], [r for _, r in used], colour))
        for style, seed, c in zip(SEED_STYLES, seeds, curves, strict=False):
            label = say(en=f"{name}, seed {seed}", ru=f"{name}, зерно {seed}")
            loss_curves.append(Curve(label, c["epoch"], c["f"], colour, style=style))
            accuracy_curves.append(Curve(label, c["epoch"][1:], c["accuracy"][1:], colour, style=style))
    blocks.append(Heading(say(en="10.3 Learning-rate decay per epoch", ru="10.3 Затухание скорости обучения по эпохам"),
                          3))  # fmt: skip
    decay = next((s for s in schedules if s != "constant"), None)
    blocks.append(Text(say(
        en=f"SGD with B = {size} at lr = {number(rate)} for {epochs} epochs, {len(seeds)} seeds, once with a constant "
        f"rate and once with {code(decay or '')}: the rate is halved every 5 epochs and stays constant within an "
        "epoch (PyTorch's StepLR stepped once per epoch; `unit=epoch` in the schedule). The constant runs are the "
        f"batch-size runs with B = {size}.",
        ru=f"SGD с B = {size} и lr = {number(rate)}, {plural_ru(epochs, *EPOCHS_RU)}, "
        f"{plural_ru(len(seeds), *SEEDS)}: один раз с постоянной скоростью, другой — с {code(decay or '')}: скорость "
        "уменьшается вдвое каждые 5 эпох и постоянна внутри эпохи (StepLR из PyTorch, вызываемый раз в эпоху; "
        f"`unit=epoch` в расписании). Прогоны с постоянной скоростью — те же, что с B = {size} выше.",
    )))  # fmt: skip
    headers = say(
        en=f"schedule|first learning rate|last learning rate|final training loss, mean|final test loss, mean|"
        f"final test accuracy, mean|epochs in which the loss rose, last {LATE}, all seeds|largest rise in one epoch "
        "(factor)",
        ru=f"расписание|первая скорость обучения|последняя скорость обучения|итоговая потеря на обучении, среднее|"
        f"итоговая потеря на тесте, среднее|итоговая точность на тесте, среднее|эпох с ростом потери, последние "
        f"{LATE}, все зёрна|наибольший рост за эпоху (множитель)",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/epoch-decay.csv"))
    if decay is not None and "constant" in summary:
        const, decayed = summary["constant"], summary[decay]
        late = len(seeds) * LATE
        parts = []
        if decayed["rises"] == 0 < const["rises"]:
            parts.append(say(
                en=f"The decay calmed the training: in the last {LATE} epochs of its {len(seeds)} runs the full loss "
                f"never rose, against {const['rises']} rises in {late} epochs at the constant rate (by up to "
                f"{ratio(const['largest'], 1)} in one epoch).",
                ru=f"Затухание успокоило обучение: за последние {plural_ru(LATE, *EPOCHS_RU)} его "
                f"{plural_ru(len(seeds), 'прогона', 'прогонов', 'прогонов')} полная потеря ни разу не выросла, а при "
                f"постоянной скорости выросла {const['rises']} {form_ru(const['rises'], 'раз', 'раза', 'раз')} из "
                f"{late} (наибольший рост за одну эпоху — {ratio_ru(const['largest'], 1)}).",
            ))  # fmt: skip
        elif decayed["rises"] < const["rises"]:
            parts.append(say(
                en=f"The decay calmed the training: in the last {LATE} epochs the full loss rose {decayed['rises']} "
                f"times in {late} epochs (all seeds) against {const['rises']} at the constant rate, by up to "
                f"{ratio(decayed['largest'], 1)} against {ratio(const['largest'], 1)} in one epoch.",
                ru=f"Затухание успокоило обучение: за последние {plural_ru(LATE, *EPOCHS_RU)} полная потеря росла "
                f"{decayed['rises']} {form_ru(decayed['rises'], 'раз', 'раза', 'раз')} из {late} (все зёрна) против "
                f"{const['rises']} при постоянной скорости; наибольший рост за одну эпоху — "
                f"{ratio_ru(decayed['largest'], 1)} против {ratio_ru(const['largest'], 1)}.",
            ))  # fmt: skip
        else:
            parts.append(say(
                en=f"The decay did not calm the training here: in the last {LATE} epochs the full loss rose "
                f"{decayed['rises']} times in {late} epochs against {const['rises']} at the constant rate.",
                ru=f"Затухание здесь не успокоило обучение: за последние {plural_ru(LATE, *EPOCHS_RU)} полная потеря "
                f"росла {decayed['rises']} {form_ru(decayed['rises'], 'раз', 'раза', 'раз')} из {late} против "
                f"{const['rises']} при постоянной скорости.",
            ))  # fmt: skip
        if decayed["loss"] > const["loss"]:
            parts.append(say(
                en=f"It ended higher on the training rows ({number(decayed['loss'])} against {number(const['loss'])}): "
                "small late steps also slow the descent of a network that is still learning.",
                ru=f"На обучающей выборке оно закончило выше ({number(decayed['loss'])} против "
                f"{number(const['loss'])}): малые поздние шаги замедляют и спуск сети, которая ещё учится.",
            ))  # fmt: skip
        else:
            parts.append(say(
                en=f"It also ended lower on the training rows ({number(decayed['loss'])} against "
                f"{number(const['loss'])}): the noise, not the step, had been holding the constant rate back.",
                ru=f"На обучающей выборке оно закончило и ниже ({number(decayed['loss'])} против "
                f"{number(const['loss'])}): постоянную скорость сдерживал шум, а не длина шага.",
            ))  # fmt: skip
        better = decayed["test_loss"] < const["test_loss"]
        parts.append(say(
            en=f"On the test rows the decayed runs reached loss {number(decayed['test_loss'])} and accuracy "
            f"{number(decayed['accuracy'])} against {number(const['test_loss'])} and {number(const['accuracy'])}"
            + (": the calmer end generalised better." if better else ": no gain on the test rows."),
            ru=f"На тестовой выборке прогоны с затуханием пришли к потере {number(decayed['test_loss'])} и точности "
            f"{number(decayed['accuracy'])} против {number(const['test_loss'])} и {number(const['accuracy'])}"
            + (": спокойный конец обучения лучше обобщается." if better else ": на тесте выигрыша нет."),
        ))  # fmt: skip
        blocks.append(Text(" ".join(parts)))
    spec = FigureSpec(
        say(en=f"SGD with B = {size}: a constant learning rate against a step decay per epoch",
            ru=f"SGD с B = {size}: постоянная скорость обучения против ступенчатого затухания по эпохам"),
        [
            PlotPanel(say(en=f"learning rate used (seed {seeds[0]})", ru=f"скорость обучения (зерно {seeds[0]})"),
                      say(en="epoch", ru="эпоха"), say(en="learning rate (log)", ru="скорость обучения (лог. шкала)"),
                      rate_curves),
            PlotPanel(say(en="full training loss per epoch", ru="полная потеря на обучении по эпохам"),
                      say(en="epoch", ru="эпоха"),
                      say(en="training loss f (log)", ru="потеря на обучении f (лог. шкала)"), loss_curves,
                      legend="none"),
            PlotPanel(say(en="test accuracy per epoch", ru="точность на тесте по эпохам"), say(en="epoch", ru="эпоха"),
                      say(en="test accuracy (fraction)", ru="точность на тесте (доля)"), accuracy_curves, logy=False,
                      legend="outside"),
        ],
        panel_size=(4.6, 4.2),
        language=lesson.language,
    )  # fmt: skip
    figure = FigureJob("figures/epoch-decay.png", draw, spec)
    figures.append(figure)
    blocks.append(Figure(figure.path, say(
        en="Left: the learning rate each update used, read from the traces (constant within an epoch); middle and "
        f"right: the full training loss and the test accuracy at the end of each epoch, {len(seeds)} seeds per "
        "schedule (line styles); notice how the decayed curves smooth out after each halving.",
        ru="Слева: скорость обучения каждого шага, прочитанная из траекторий (постоянна внутри эпохи); в центре и "
        f"справа: полная потеря на обучении и точность на тесте в конце каждой эпохи, по "
        f"{plural_ru(len(seeds), 'зерну', 'зерна', 'зёрен')} на расписание (стили линий); обратите внимание, как "
        "кривые с затуханием сглаживаются после каждого уменьшения скорости.",
    )))  # fmt: skip


def _errors_by_layer(info: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(layer name, first index, end index) of each weight block of the stored layout."""
    blocks, start = [], 0
    for name, shape in zip(info["variables"], info["shapes"], strict=True):
        size = int(np.prod(shape)) if shape else 1
        blocks.append((name, start, start + size))
        start += size
    return blocks


def _render_errors(path: Path, spec: dict[str, Any]) -> None:
    """The relative error of every weight (log axis) by parameter index, one marker colour per variant,
    the layers separated by vertical lines and named at the top."""
    from matplotlib.figure import Figure as Canvas

    from workbench.lesson.figures import save_png
    from workbench.report.figures import log_axis

    figure = Canvas(figsize=(12.0, 4.8), layout="constrained")
    ax = figure.subplots()
    for variant, errors in spec["errors"].items():
        values = np.array(errors, dtype=float)
        index = np.arange(values.size)
        ax.plot(index, np.maximum(values, spec["floor"]), linestyle="none", marker=".", markersize=5,
                color=VARIANT_COLOURS.get(variant, "0.3"), label=spec["labels"][variant])  # fmt: skip
    log_axis(ax, "y")
    top = ax.get_ylim()[1]
    for name, start, end in spec["layers"]:
        if start:
            ax.axvline(start - 0.5, color="0.4", linewidth=0.9, linestyle="--")
        ax.text((start + end - 1) / 2, top, name, ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-2, spec["layers"][-1][2] + 1)
    ax.grid(True, which="major", alpha=0.3)
    ax.set_xlabel(spec["xlabel"])
    ax.set_ylabel(spec["ylabel"])
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figure.suptitle(spec["title"], fontsize=11)
    save_png(figure, path)


def _layer_sentence(forward: dict[str, Any] | None, smallest: str, spread: float, language: str) -> str:
    """Where the forward differences err most, whether that is the layer of the smallest gradients, and how far
    apart the layers' medians lie (``spread``, a factor)."""
    if forward is None:
        return ""
    layer, median = forward["layer"], number(forward["layer_median"])
    if language == "ru":
        where = ("это слой с самыми малыми по медиане |g_i| градиентами" if layer == smallest
                 else f"а самые малые градиенты (по медиане |g_i|) — у {smallest}")  # fmt: skip
        return (f"Сильнее всего прямые разности ошибаются в {layer} (медиана {median}; {where}), но медианы всех "
                f"слоёв расходятся не больше чем {ratio_ru(spread, 1)}.")  # fmt: skip
    where = ("the layer of the smallest gradients, by median |g_i|" if layer == smallest
             else f"while the smallest gradients, by median |g_i|, are those of {smallest}")  # fmt: skip
    return (f"The forward differences err most in {layer} (median {median}; {where}), but the layers' medians lie "
            f"within {ratio(spread, 1)} of each other.")  # fmt: skip


def _gradient_check(lesson: Lesson, check: dict[str, Any], blocks: list[Any], figures: list[FigureJob]) -> None:
    """10.4: the network's exact gradient against finite differences, per weight and layer, and the cost."""
    say = lesson.say
    info = lesson.info[DATA_PROBLEM]
    n, samples = check["n"], check["samples"]
    variants = {v: check["variants"][v] for v in GRADIENT_CHECK if v in check["variants"]}  # the plan's order
    layers = _errors_by_layer(info)
    exact = np.abs(np.array(check["exact"], dtype=float))
    table, stats = [], {}
    names = {"fd-forward": say(en="forward", ru="прямые"), "fd-central": say(en="central", ru="центральные"),
             "fd-richardson": say(en="Richardson", ru="Ричардсон")}  # fmt: skip
    table.append([say(en="exact (analytic)", ru="точный (analytic)"), check["exact_work"], check["exact_work"] / n,
                  None, None, None, check["exact_seconds"]])  # fmt: skip
    for variant, entry in variants.items():
        errors = np.array(entry["relative_errors"], dtype=float)
        finite = errors[np.isfinite(errors)]
        worst_layer = max(layers, key=lambda layer: float(np.nanmedian(errors[layer[1]:layer[2]])))
        stats[variant] = {"median": float(np.median(finite)), "worst": float(np.max(finite)),
                          "norm": entry["norm_error"], "work": entry["work"], "evaluations": entry["evaluations"],
                          "seconds": entry["seconds"], "layer": worst_layer[0],
                          "layer_median": float(np.nanmedian(errors[worst_layer[1]:worst_layer[2]]))}  # fmt: skip
        table.append([code(variant), entry["work"], entry["work"] / n, stats[variant]["median"],
                      stats[variant]["worst"], entry["norm_error"], entry["seconds"]])  # fmt: skip
    small = min(layers, key=lambda layer: float(np.median(exact[layer[1]:layer[2]])))
    forward, central = stats.get("fd-forward"), stats.get("fd-central")
    spread = 1.0  # how far apart the layers' median errors lie (forward differences, or the first variant)
    if stats:
        errors = np.array(variants["fd-forward" if forward else next(iter(variants))]["relative_errors"], dtype=float)
        medians = [float(np.nanmedian(errors[start:end])) for _, start, end in layers]
        spread = max(medians) / min(medians)
    blocks.append(Heading(say(en="10.4 A gradient check of the network", ru="10.4 Проверка градиента сети"), 3))
    medians = say.join(f"{number(s['median'])} ({names[v]})" for v, s in stats.items())
    worst = say.join(number(s["worst"]) for s in stats.values())
    norms = say.join(number(s["norm"]) for s in stats.values())
    blocks.append(Text(say(
        en="Before trusting a gradient, compare it with finite differences: the classic check of a hand-written "
        "backpropagation. At x0 the exact gradient (compiled from the symbolic one) is set against forward, central "
        "and Richardson-extrapolated differences of f over all rows. Per weight the relative error "
        f"|ĝ_i − g_i| / |g_i| has the medians {medians}, at worst {worst}; over the whole vector ‖ĝ − g‖ / ‖g‖ = "
        f"{norms}. {_layer_sentence(forward, small[0], spread, 'en')}",
        ru="Прежде чем доверять градиенту, сравните его с конечными разностями: классическая проверка "
        "обратного распространения, написанного вручную. В x0 точный градиент (скомпилированный из символьного) "
        "сравнивается с прямыми, центральными и экстраполированными по Ричардсону разностями f по всем строкам. "
        f"Для каждого веса относительная ошибка |ĝ_i − g_i| / |g_i| имеет медианы {medians}, в худшем случае "
        f"{worst}; по всему вектору ‖ĝ − g‖ / ‖g‖ = {norms}. {_layer_sentence(forward, small[0], spread, 'ru')}",
    )))  # fmt: skip
    headers = say(
        en="gradient|work: passes over the data|passes per weight (work / n)|relative error per weight, median|"
        "relative error per weight, worst|‖ĝ − g‖ / ‖g‖|seconds for one gradient",
        ru="градиент|работа: проходы по данным|проходов на вес (работа / n)|относительная ошибка веса, медиана|"
        "относительная ошибка веса, худшая|‖ĝ − g‖ / ‖g‖|секунд на один градиент",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/gradient-check.csv"))
    if forward is not None and central is not None:
        runs = lesson.runs["lesson-batch-sizes"]
        epochs = runs.rows[0]["options"]["epochs"]
        richardson = stats.get("fd-richardson")
        extra = ""
        extra_ru = ""
        if richardson is not None:
            extra = (f", Richardson's {number(richardson['evaluations'])} "
                     f"({number(richardson['evaluations'] / n, 3)}n)")  # fmt: skip
            extra_ru = (f", по Ричардсону — {number(richardson['evaluations'])} "
                        f"({number(richardson['evaluations'] / n, 3)}n)")  # fmt: skip
        blocks.append(Text(say(
            en=f"The check is dear. Every evaluation of f reads all N = {samples} rows, so a forward-difference "
            f"gradient of the network costs {forward['evaluations']} full passes over the data (n + 1 = {n + 1}), a "
            f"central one {central['evaluations']} (2n = {2 * n}){extra}, against {number(check['exact_work'])} for "
            "the exact gradient (the workbench counts an exact gradient as one pass; backpropagation costs a small "
            f"multiple of one). One forward-difference gradient costs as many passes as "
            f"{number(forward['evaluations'] / epochs, 2)} training runs of {epochs} epochs (measured: "
            f"{number(forward['seconds'], 2)} s against {number(check['exact_seconds'], 2)} s for the exact gradient): "
            "check the gradient at a few points, then train with the exact one.",
            ru=f"Проверка дорога. Каждое вычисление f читает все N = {samples} {form_ru(samples, *ROWS_RU)}, поэтому "
            f"градиент сети прямыми разностями стоит {plural_ru(forward['evaluations'], *PASSES)} по данным (n + 1 = "
            f"{n + 1}), центральными — {central['evaluations']} (2n = {2 * n}){extra_ru}, против "
            f"{number(check['exact_work'])} для точного градиента (workbench считает точный градиент за один проход; "
            "обратное распространение стоит небольшое кратное прохода). Один градиент прямыми разностями стоит "
            f"столько же проходов, сколько {number(forward['evaluations'] / epochs, 2)} "
            f"{form_ru(number(forward['evaluations'] / epochs, 2), 'обучение', 'обучения', 'обучений')} по "
            f"{plural_ru(epochs, *EPOCHS_GENITIVE)} (измерено: {number(forward['seconds'], 2)} с против "
            f"{number(check['exact_seconds'], 2)} с для точного градиента): проверьте градиент в нескольких точках, "
            "а обучайте с точным.",
        )))  # fmt: skip
    floor = 1e-17
    spec = {
        "errors": {v: e["relative_errors"] for v, e in variants.items()},
        "labels": {v: say(en=f"{v} (median {number(stats[v]['median'])})",
                          ru=f"{v} (медиана {number(stats[v]['median'])})") for v in variants},  # fmt: skip
        "layers": layers,
        "floor": floor,
        "xlabel": say(en=f"weight index (layers {', '.join(name for name, _, _ in layers)})",
                      ru=f"номер веса (слои {', '.join(name for name, _, _ in layers)})"),  # fmt: skip
        "ylabel": say(en="relative error |ĝ_i − g_i| / |g_i| (log)", ru="отн. ошибка |ĝ_i − g_i| / |g_i| (лог. шкала)"),
        "title": say(en=f"{DATA_PROBLEM}: finite-difference gradients against the exact one at x0, per weight",
                     ru=f"{DATA_PROBLEM}: градиенты конечными разностями против точного в x0, по весам"),
    }
    figure = FigureJob("figures/gradient-check.png", _render_errors, spec)
    figures.append(figure)
    gap = math.log10(forward["median"] / central["median"]) if forward and central else float("nan")
    blocks.append(Figure(figure.path, say(
        en="The relative error of every weight of the network, grouped by layer (dashed lines), for each "
        f"finite-difference variant (errors below {floor:.0e} drawn at it); notice the {number(gap, 2)} orders of "
        "magnitude between the forward and the central medians, and the spread within each layer.",
        ru="Относительная ошибка каждого веса сети по слоям (штриховые линии) для каждого варианта конечных "
        f"разностей (ошибки ниже {floor:.0e} — на этом уровне); обратите внимание на {number(gap, 2)} "
        f"{form_ru(number(gap, 2), 'порядок', 'порядка', 'порядков')} между медианами прямых и центральных "
        "разностей и на разброс внутри каждого слоя.",
    )))  # fmt: skip
