"""Section 4, the race: all seven first-order methods on Beale's valley and on the saddle x² − y², as an
animated GIF and as a static figure with a dot every few updates (study ``lesson-race``; at most
300 updates per run, so the stored traces keep every iterate and index = update k)."""

from __future__ import annotations

from typing import Any

from workbench.lesson.animation import RaceSpec, race_gif
from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import FigureSpec, MapPanel, Marker, draw
from workbench.lesson.plan import FIRST_ORDER
from workbench.lesson.plotdata import path_curve, saddle_marker, start_marker
from workbench.lesson.text import UPDATES, code, form_ru, join, number, plural_ru, point, status
from workbench.report.document import Figure, Table, Text

__all__ = ["build"]

#: A dot every this many updates on the static figure.
EVERY = 25
WINDOWS = {"beale": ((0.6, 3.6), (-1.05, 1.2)), "saddle": ((-1.1, 1.1), (-1.1, 1.1))}
LEVELS = {"beale": "log", "saddle": "linear"}


def _panels(lesson: Lesson, every: int | None) -> list[MapPanel]:
    runs = lesson.runs["lesson-race"]
    say = lesson.say
    panels = []
    for name in ("beale", "saddle"):
        rows = [runs.one(problem=name, method=m) for m in FIRST_ORDER]
        markers = [start_marker(rows[0]["x0"], say.term("start")), *lesson.optimum(name, say.term("minimum"))]
        if name == "saddle":
            markers += [Marker("_other minimum", (0.0, -1.0)), saddle_marker(label=say.term("saddle"))]
        legend = "outside" if name == "saddle" else "none"
        title = say(en=f"{name} from {point(rows[0]['x0'])}", ru=f"{name} из {point(rows[0]['x0'])}")
        panels.append(MapPanel(title, lesson.landscape(name, WINDOWS[name], LEVELS[name]),
                               [path_curve(runs, r) for r in rows], markers, every=every, legend=legend))  # fmt: skip
    return panels


def _story(lesson: Lesson, rows: list[dict[str, Any]], name: str, limit: int) -> str:
    say = lesson.say
    done = sorted((r for r in rows if r["status"] == "converged"), key=lambda r: r["iterations"])
    rest = sorted((r for r in rows if r["status"] != "converged"), key=lambda r: r["f_error"])
    finished = [code(r["method"]) + f" ({r['iterations']})" for r in done]
    ranked = [f"{code(r['method'])} {number(r['f_error'])}" for r in rest]
    statuses = sorted({r["status"] for r in rest})
    parts = [say(en=f"On {name}, within {limit} updates", ru=f"На задаче {name} за {plural_ru(limit, *UPDATES)}")]
    if done:
        parts.append(say(en=f"{join(finished)} converged (updates in brackets)",
                         ru=f"{form_ru(len(done), 'сошёлся', 'сошлись', 'сошлись')} {say.join(finished)} "
                         "(в скобках — число шагов)" + ("," if rest else "")))  # fmt: skip
    if rest:
        parts.append(say(
            en=("and " if done else "") + "the others, ranked by f − f∗ at the end: "
            + join(ranked) + f" ({join(status(s) for s in statuses)})",
            ru=("а остальные," if done else "не сошёлся ни один;") + " по возрастанию f − f∗ в конце: "
            + say.join(ranked) + f" ({form_ru(len(statuses), 'статус', 'статусы', 'статусы')} "
            + say.join(code(s) for s in statuses) + ")",
        ))  # fmt: skip
    return " ".join(parts) + "."


def build(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-race"]
    say = lesson.say
    limit = runs.rows[0]["options"]["max_iterations"]
    rates = {m: runs.one(problem="beale", method=m)["options"]["learning_rate"] for m in FIRST_ORDER}
    rated = [f"{code(m)} {number(rate)}" for m, rate in rates.items()]
    stories = " ".join(_story(lesson, [runs.one(problem=name, method=m) for m in FIRST_ORDER], name, limit)
                       for name in ("beale", "saddle"))  # fmt: skip
    blocks: list[Any] = [Text(say(
        en="The seven first-order methods from one start, one learning rate each (" + join(rated)
        + "), on Beale's curved valley and on the saddle x² − y² started just off its stable line. " + stories,
        ru="Семь методов первого порядка из одной стартовой точки, у каждого своя скорость обучения ("
        + say.join(rated) + "), в изогнутой долине функции Била и на седле x² − y² со стартом чуть в стороне от его "
        "устойчивой прямой. " + stories,
    ))]  # fmt: skip
    headers = say(en="problem|method|learning rate|status|updates|f − f∗ at the end",
                  ru="задача|метод|скорость обучения|статус|шагов|f − f∗ в конце")  # fmt: skip
    blocks.append(Table(
        headers.split("|"),
        [[r["problem"], r["method"], r["options"]["learning_rate"], r["status"], r["iterations"], r["f_error"]]
         for r in runs.rows], csv="tables/race.csv"))  # fmt: skip
    race = RaceSpec(say(en="The race", ru="Гонка"), _panels(lesson, None), language=lesson.language)
    gif = FigureJob("figures/race.gif", race_gif, race)
    still = FigureJob("figures/race.png", draw, FigureSpec(
        say(en=f"The race: seven first-order methods, a dot every {EVERY} updates",
            ru=f"Гонка: семь методов первого порядка, точка каждые {EVERY} {form_ru(EVERY, *UPDATES)}"),
        _panels(lesson, EVERY), panel_size=(5.2, 4.6), language=lesson.language))  # fmt: skip
    blocks.append(Figure(gif.path, say(
        en="The race, animated (one frame every few updates, a head marks each method's "
        "current iterate): notice the momentum methods swinging past the valley floor "
        "on Beale and the adaptive methods dashing off the saddle.",
        ru="Гонка в анимации (кадр каждые несколько шагов, кружок отмечает текущую итерацию каждого метода): "
        "обратите внимание, как методы с импульсом проскакивают дно долины функции Била, а адаптивные методы "
        "стремительно уходят с седла.",
    )))  # fmt: skip
    blocks.append(Figure(still.path, say(
        en=f"The same runs drawn whole, with a dot every {EVERY} updates: dots far apart "
        "mean fast progress; notice where each method's dots bunch up.",
        ru=f"Те же прогоны целиком, с точкой каждые {EVERY} {form_ru(EVERY, *UPDATES)}: редкие точки означают "
        "быстрое продвижение; обратите внимание, где точки каждого метода сгущаются.",
    )))  # fmt: skip
    return Section(say(en="4. The race", ru="4. Гонка"), blocks, [gif, still])
