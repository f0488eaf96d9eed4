"""The lesson (``workbench lesson``): every section renders with its figures; the numbers quoted in the
text and tables are the stored runs' numbers (checked against the store, and by tampering with a copy
of the store: the re-rendered text follows the tampered values, so no number can be typed in); every
link resolves; a second run on the same store makes no runs.

The Russian page (``OUTPUT/ru``) is written by the same code from the same store: it quotes exactly the
English page's numbers, its own figures, the lecture's terms; each language's folder keeps its own
manifest, so writing one language never deletes the other's files, and a page links to the other only
when that one exists."""

import csv
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

import workbench.lesson.page
import workbench.runner
from workbench.cli import main
from workbench.lesson import write_lesson
from workbench.lesson.text import form_ru, plural_ru, ratio_ru, times_ru
from workbench.store import Store

SECTIONS = [f"## {k}. " for k in range(1, 11)]
#: The page of each language, relative to the output folder, and the word every caption points with.
PAGES = {"en": ".", "ru": "ru"}
NOTICE = {"en": "notice", "ru": "обратите внимание"}
#: A number as the lesson writes it: digits, a decimal point, a short exponent, the minus sign U+2212.
#: Digits glued to a letter (x0, HS071, mgh04, β₁) belong to a name, not a number.
NUMBER = re.compile(r"(?<![\w.])[−-]?[0-9]+(?:\.[0-9]+)?(?:e[−-]?[0-9]+)?")
#: Numbers allowed on one page only (section numbering and terms are the same in both languages): none.
ONLY_ENGLISH: Counter = Counter()
ONLY_RUSSIAN: Counter = Counter()
#: The lecture's terms, as the Russian page must use them.
TERMS_RU = ("импульс", "ускоренный градиент Нестерова", "затухание скорости обучения", "седловая точка",
            "скорость обучения", "градиентный спуск", "мини-батч", "метод Ньютона", "гессиан", "конечные разности",
            "комплексный шаг", "эпох", "стохастический градиентный спуск")  # fmt: skip
#: (study, method, extra SQL) of the runs the tamper test changes, and by how much.
TAMPERED = {
    "sgd_at_one_over_l": ("lesson-sgd-rates", "sgd", "json_extract(options, '$.learning_rate') = 0.01", 1000),
    "saddle_escape_sgd": ("lesson-saddle-escape", "sgd", "1", 500),
    "rosenbrock_momentum": ("lesson-momentum-rosenbrock", "momentum", "1", 77),
    "hs071_analytic": ("lesson-hs071", "trust-constr", "variant = 'analytic'", 300),
}


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """Both pages from one call (what ``workbench lesson`` does without --language)."""
    output = tmp_path_factory.mktemp("lesson")
    written = write_lesson(output, jobs=2, progress=False, language=("en", "ru"))
    return output, written


@pytest.fixture(scope="module")
def markdown(lesson):
    return (lesson[0] / "index.md").read_text()


@pytest.fixture(scope="module")
def markdown_ru(lesson):
    return (lesson[0] / "ru" / "index.md").read_text()


@pytest.fixture(scope="module")
def runs(lesson):
    with Store(lesson[0] / "lesson.sqlite") as store:
        return store.runs()


def _one(rows, **criteria):
    options = criteria.pop("options", {})
    chosen = [r for r in rows if all(r[k] == v for k, v in criteria.items())
              and all(r["options"].get(k) == v for k, v in options.items())]  # fmt: skip
    assert len(chosen) == 1, (criteria, options, len(chosen))
    return chosen[0]


def _section(markdown: str, number: int) -> str:
    start = markdown.index(f"## {number}. ")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end >= 0 else None]


# -- every section renders ------------------------------------------------------------------------
@pytest.mark.parametrize("language", PAGES)
def test_every_section_has_its_heading_and_figures(lesson, language):
    output, written = lesson
    output = output / PAGES[language]
    markdown = (output / "index.md").read_text()
    assert (output / "index.md") in written and (output / "index.html") in written
    figures = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", markdown)
    for number, heading in enumerate(SECTIONS, start=1):
        assert heading in markdown, f"section {number} is missing"
        section = _section(markdown, number)
        if number != 9:  # the practical task is a table
            assert re.search(r"!\[[^\]]*\]\(figures/", section), f"section {number} has no figure"
    assert len(figures) == len(set(figures)) >= 15
    for relative in figures:
        path = output / relative
        assert path.exists() and path in written, relative
        with Image.open(path) as image:
            assert image.size[0] >= 600 and image.size[1] >= 250, relative
            if relative.endswith(".gif"):
                assert image.n_frames >= 20, "the race animation has too few frames"
                assert path.stat().st_size > 100_000
            else:
                assert path.stat().st_size > 15_000, relative  # an empty or nearly empty figure is a few kB


@pytest.mark.parametrize("language", PAGES)
def test_every_figure_has_a_one_line_caption(lesson, language):
    markdown = (lesson[0] / PAGES[language] / "index.md").read_text()
    for match in re.finditer(r"!\[([^\]]*)\]\((figures/[^)]+)\)\n\n\*([^\n]+)\*", markdown):
        alt, _, caption = match.groups()
        assert alt == caption and NOTICE[language] in caption.lower(), caption
    assert len(re.findall(r"!\[", markdown)) == len(re.findall(r"!\[[^\]]*\]\([^)]+\)\n\n\*[^\n]+\*", markdown))


def _check_links(folder: Path) -> list[str]:
    """Every link and image of the page in ``folder`` resolves (anchors to headings, files on disk)."""
    markdown = (folder / "index.md").read_text()
    html = (folder / "index.html").read_text()
    ids = set(re.findall(r'id="([^"]+)"', html))
    targets = re.findall(r"\]\(([^)\s]+)\)", markdown) + re.findall(r'(?:href|src)="([^"]+)"', html)
    for target in targets:
        assert not target.startswith(("http:", "https:")), f"external link {target}: the page must work offline"
        if target.startswith("#"):
            assert target[1:] in ids, f"anchor {target} has no heading"
        else:
            assert (folder / target).is_file(), f"{target} does not resolve"
    assert "<script" not in html
    return targets


@pytest.mark.parametrize("language", PAGES)
def test_every_link_resolves(lesson, language):
    output, _ = lesson
    targets = _check_links(output / PAGES[language])
    assert len(targets) > 40
    other = {"en": "ru/index", "ru": "../index"}[language]  # written in the same call: linked both ways
    assert f"{other}.md" in targets and f"{other}.html" in targets
    contents = [t for t in targets if t.startswith("#")]
    assert len(contents) >= 2 * 11  # the contents line, in Markdown and HTML: ten sections and the colophon


# -- numbers in the text are the stored numbers ------------------------------------------------------
def test_sgd_at_one_over_l_quotes_the_stored_run(markdown, runs):
    row = _one(runs, study="lesson-sgd-rates", method="sgd", options={"learning_rate": 0.01})
    quoted = re.search(r"At lr = 1/L = 0\.01 SGD reaches f − f∗ ≤ 1e-6 after \*\*(\d+)\*\* updates", markdown)
    assert quoted, "the sentence on SGD at 1/L is missing"
    assert int(quoted.group(1)) == row["iterations"]
    assert row["status"] == "converged"
    diverged = _one(runs, study="lesson-sgd-rates", method="sgd", options={"learning_rate": 0.021})
    assert diverged["status"] == "diverged"
    assert f"with status `diverged` after {diverged['iterations']} updates" in markdown


def test_saddle_numbers_are_the_stored_runs(markdown, runs):
    escape = [r for r in runs if r["study"] == "lesson-saddle-escape"]
    manifold = [r for r in runs if r["study"] == "lesson-saddle-manifold"]
    sgd = _one(escape, method="sgd")
    assert int(re.search(r"it took \*\*(\d+)\*\*", markdown).group(1)) == sgd["iterations"]
    rows = {r["method"]: r for r in escape}
    table = _section(markdown, 1)
    for method, row in rows.items():
        on_line = _one(manifold, method=method)
        assert re.search(rf"\| {method} \| [\d.]+ \| {row['iterations']} \| {row['status']} \| {on_line['status']} "
                         rf"\| {on_line['iterations']} \|", table), method  # fmt: skip


def test_hs071_table_rows_are_the_stored_runs(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "hs071.csv") as handle:
        table = list(csv.DictReader(handle))
    assert [row["derivatives"] for row in table] == ["analytic", "fd-forward", "fd-forward+bfgs"]
    for row in table:
        run = _one(runs, study="lesson-hs071", variant=row["derivatives"])
        assert row["status"] == run["status"]
        assert int(row["iterations"]) == run["iterations"]
        assert int(row["evaluations of f and c"]) == run["evaluations"]
        assert int(row["evaluations of f"]) == run["objective_evaluations"]
        assert float(row["error abs(f − f∗)"]) == pytest.approx(run["f_error"], rel=1e-12)
        assert [float(row[f"x{i}"]) for i in range(1, 5)] == pytest.approx(run["x"], rel=1e-12)
        assert float(row["time (s)"]) == pytest.approx(run["wall_time"], rel=1e-12)


def test_hessian_cost_is_read_from_the_oracle_counts(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "hessian-cost.csv") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) >= 4
    for row in table:
        n = int(row["n"])
        name = f"chained_rosenbrock_{n}"
        newton = _one(runs, study="lesson-hessian-evaluations", problem=name, method="newton")
        gradient = _one(runs, study="lesson-hessian-evaluations", problem=name, method="sgd")
        assert int(row["FD Hessian evaluations (measured)"]) == newton["evaluations"] - gradient["evaluations"]
        assert int(row["FD Hessian evaluations (measured)"]) == 1 + 2 * n * n  # the textbook count, measured
        assert int(row["FD gradient evaluations (2n)"]) == gradient["evaluations"] == 2 * n


def test_multistart_counts_are_the_stored_runs(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "multistart.csv") as handle:
        table = {row["method"]: row for row in csv.DictReader(handle)}
    starts = [r for r in runs if r["problem"] == "three_hump_camel"
              and (r["study"] == "lesson-multistart" or r["start"] == 0)]  # fmt: skip
    for method, row in table.items():
        mine = {r["start"]: r for r in starts if r["method"] == method and r["options"].get("max_iterations") == 3000}
        assert int(row["starts"]) == len(mine) == 12
        assert int(row["starts reaching the global minimum"]) == sum(r["status"] == "converged" for r in mine.values())


def test_studies_table_counts_every_stored_run(lesson, runs):
    output, _ = lesson
    with open(output / "tables" / "studies.csv") as handle:
        table = list(csv.DictReader(handle))
    assert sum(int(row["made in this session"]) for row in table) == len(runs)
    assert all(row["study"].startswith("lesson-") for row in table)


# -- a second run makes no runs; its text follows the store -----------------------------------------
def _tamper(path: Path) -> dict[str, dict]:
    """Add to the iteration counts of a few stored runs; return the tampered rows."""
    connection = sqlite3.connect(path)
    changed = {}
    with connection:
        for label, (study, method, where, delta) in TAMPERED.items():
            keys = [k for (k,) in connection.execute(
                f"SELECT key FROM runs WHERE study = ? AND method = ? AND {where}", (study, method))]  # fmt: skip
            assert len(keys) == 1, label
            connection.execute("UPDATE runs SET iterations = iterations + ?, evaluations = evaluations + ? "
                               "WHERE key = ?", (delta, delta, keys[0]))  # fmt: skip
            cursor = connection.execute("SELECT * FROM runs WHERE key = ?", (keys[0],))
            changed[label] = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    connection.close()
    return changed


def test_second_run_makes_no_runs_and_quotes_the_store(lesson, tmp_path, monkeypatch):
    output, _ = lesson
    store = tmp_path / "copy.sqlite"
    shutil.copy(output / "lesson.sqlite", store)
    changed = _tamper(store)
    calls = []
    real = workbench.runner.solve

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(workbench.runner, "solve", counting)
    again = tmp_path / "again"
    written = write_lesson(again, store=store, jobs=2, progress=False, language=("en", "ru"))
    assert calls == [], "a second run on a full store must not run anything"
    assert not (again / "lesson.sqlite").exists()
    assert (again / "index.html") in written and (again / "ru" / "index.html") in written
    text = (again / "index.md").read_text()
    with open(again / "tables" / "studies.csv") as handle:
        assert all(int(row["made in this session"]) == 0 for row in csv.DictReader(handle))
    sgd = changed["sgd_at_one_over_l"]["iterations"]
    assert f"SGD reaches f − f∗ ≤ 1e-6 after **{sgd}** updates" in text
    assert f"it took **{changed['saddle_escape_sgd']['iterations']}**" in text
    assert f"`momentum` **{changed['rosenbrock_momentum']['iterations']}** updates" in text
    hs071 = changed["hs071_analytic"]
    with open(again / "tables" / "hs071.csv") as handle:
        analytic = next(row for row in csv.DictReader(handle) if row["derivatives"] == "analytic")
    assert int(analytic["iterations"]) == hs071["iterations"]
    assert int(analytic["evaluations of f and c"]) == hs071["evaluations"]
    assert f"Iterations: {hs071['iterations']}, " in text
    assert f"analytic {hs071['evaluations']} (plus" in text
    # the Russian page follows the same tampered store
    russian = (again / "ru" / "index.md").read_text()
    assert f"SGD достигает f − f∗ ≤ 1e-6 за **{sgd}** {form_ru(sgd, 'шаг', 'шага', 'шагов')}" in russian
    assert f"понадобилось **{changed['saddle_escape_sgd']['iterations']}**" in russian
    assert f"`momentum` — **{changed['rosenbrock_momentum']['iterations']}** " in russian
    assert f"Итераций: {hs071['iterations']}, " in russian
    assert f"аналитическая — {hs071['evaluations']} (плюс" in russian
    with open(again / "ru" / "tables" / "hs071.csv") as handle:
        analytic = next(row for row in csv.DictReader(handle) if row["производные"] == "analytic")
    assert int(analytic["итераций"]) == hs071["iterations"]
    assert int(analytic["вычислений f и c"]) == hs071["evaluations"]
    with open(again / "ru" / "tables" / "studies.csv") as handle:
        assert all(int(row["сделано в этом сеансе"]) == 0 for row in csv.DictReader(handle))
    assert _numbers(text) == _numbers(russian), "the two pages of one call quote the same numbers"


# -- options --------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["de", ("en", "fr"), ()])
def test_an_unknown_language_is_refused_before_anything_runs(tmp_path, monkeypatch, language):
    monkeypatch.setattr(workbench.runner, "solve", lambda *a, **k: pytest.fail("nothing may run"))
    with pytest.raises(ValueError, match="language"):
        write_lesson(tmp_path, language=language)
    assert not any(tmp_path.iterdir()), "a refused language must not run or write anything"


def test_the_command_writes_both_pages_unless_told_one(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr("workbench.lesson.write_lesson", lambda output, **kwargs: calls.append(kwargs) or [])
    assert main(["lesson", "--output", "out", "--quiet"]) == 0
    assert "out/index.html or out/ru/index.html" in capsys.readouterr().out
    assert main(["lesson", "--output", "out", "--quiet", "--language", "ru"]) == 0
    assert "open out/ru/index.html" in capsys.readouterr().out
    assert [call["language"] for call in calls] == [["en", "ru"], ["ru"]]


def test_a_folder_of_other_files_is_refused_before_anything_runs(tmp_path, monkeypatch):
    (tmp_path / "thesis.tex").write_text("mine")
    monkeypatch.setattr(workbench.runner, "solve", lambda *a, **k: pytest.fail("nothing may run"))
    with pytest.raises(ValueError, match="did not write"):
        write_lesson(tmp_path, jobs=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_schedules_are_read_from_the_stored_traces(lesson, runs):
    """The learning rates in the schedule table are the ones the runs recorded in their traces."""
    output, _ = lesson
    with open(output / "tables" / "schedules.csv") as handle:
        table = {row["schedule"]: row for row in csv.DictReader(handle)}
    with Store(output / "lesson.sqlite") as store:
        for schedule, row in table.items():
            run = _one(runs, study="lesson-schedules", seed=0, options={"schedule": schedule})
            rates = store.trace(run["key"])["learning_rate"]
            assert float(row["first learning rate"]) == pytest.approx(rates[1], rel=1e-12)
            assert float(row["last learning rate"]) == pytest.approx(rates[-1], rel=1e-12)
    assert len(table) == 4


def test_numbers_are_written_compactly():
    from workbench.lesson.text import join, number, ratio

    assert number(653) == "653" and number(2 * 10**12 + 1) == "2e12"
    assert number(1e-6) == "1e-6" and number(-0.153) == "−0.153" and number(0.29864, 5) == "0.29864"
    assert ratio(131073, 513) == "256x" and ratio(5, 2) == "2.5x" and ratio(1, 0) == "n/a"
    assert join([]) == "none" and join(["a", "b", "c"]) == "a, b and c"


# -- the Russian page ------------------------------------------------------------------------------
def _numbers(markdown: str) -> Counter:
    """Every number of a page's visible text (link targets dropped: paths and anchors are not quoted)."""
    return Counter(NUMBER.findall(re.sub(r"\]\([^)\s]*\)", "]", markdown)))


def test_russian_page_is_written_beside_the_english_one(lesson, markdown_ru):
    output, written = lesson
    russian = output / "ru"
    assert {russian / "index.md", russian / "index.html", russian / "tables" / "hs071.csv"} <= set(written)
    assert (russian / ".workbench-manifest.json").is_file() and (output / ".workbench-manifest.json").is_file()
    assert not (russian / "lesson.sqlite").exists(), "both pages read the one store OUTPUT/lesson.sqlite"
    assert '<html lang="ru">' in (russian / "index.html").read_text()
    assert '<html lang="en">' in (output / "index.html").read_text()
    assert markdown_ru.startswith("# Лекция об обучении нейронных сетей")
    for number in range(1, 11):
        assert f"\n## {number}. " in markdown_ru, f"section {number} is missing"
    with open(russian / "tables" / "hs071.csv") as handle:
        assert next(csv.reader(handle))[:3] == ["конфигурация", "производные", "статус"]


def test_both_pages_quote_the_same_numbers(markdown, markdown_ru):
    english, russian = _numbers(markdown), _numbers(markdown_ru)
    assert sum(english.values()) > 800
    assert english - russian == ONLY_ENGLISH, "numbers on the English page only"
    assert russian - english == ONLY_RUSSIAN, "numbers on the Russian page only"


def test_russian_figures_are_their_own(lesson, markdown, markdown_ru):
    output, written = lesson
    figures = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", markdown_ru)
    assert figures == re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", markdown)
    for relative in figures:
        english, russian = output / relative, output / "ru" / relative
        assert russian in written and english in written
        assert russian.read_bytes() != english.read_bytes(), f"{relative}: the Russian figure has English labels"


def test_russian_page_uses_the_lectures_terms(markdown_ru):
    text = markdown_ru.lower()
    missing = [term for term in TERMS_RU if term.lower() not in text]
    assert not missing, missing
    for english in ("updates", "iterations", "notice", "learning rate", "the"):
        assert not re.search(rf"\b{english}\b", text), f"untranslated English {english!r} on the Russian page"


def test_russian_page_draws_its_conclusions_from_the_numbers(markdown, markdown_ru, runs):
    """The sentences that compare numbers pick the same branch in both languages."""
    assert "The digits roughly double at each step" in markdown
    assert "Число верных знаков примерно удваивается" in markdown_ru
    assert ("the measured floors agree within a factor of 2" in markdown) == (
        "согласуются с этим с точностью до множителя 2" in markdown_ru)  # fmt: skip
    row = _one(runs, study="lesson-sgd-rates", method="sgd", options={"learning_rate": 0.01})
    assert f"за **{row['iterations']}** {form_ru(row['iterations'], 'шаг', 'шага', 'шагов')}:" in markdown_ru
    diverged = _one(runs, study="lesson-sgd-rates", method="sgd", options={"learning_rate": 0.021})
    assert f"со статусом `diverged` после {diverged['iterations']} " in markdown_ru


def _stub_figures(monkeypatch):
    """Figures as placeholder files: the layout test is about files and links, not drawings."""

    def render(tasks, *, jobs=1):
        paths = []
        for job, folder in tasks:
            path = folder / job.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"figure")
            paths.append(path)
        return paths

    monkeypatch.setattr(workbench.lesson.page, "render", render)


def test_one_language_at_a_time_keeps_the_other_and_links_only_to_pages_that_exist(lesson, tmp_path, monkeypatch):
    output = tmp_path / "lesson"
    output.mkdir()
    shutil.copy(lesson[0] / "lesson.sqlite", output / "lesson.sqlite")  # the default store of both languages
    monkeypatch.setattr(workbench.runner, "solve", lambda *a, **k: pytest.fail("the store holds every run"))
    _stub_figures(monkeypatch)

    written = write_lesson(output, language="ru", progress=False)  # the Russian page alone, first
    assert (output / "ru" / "index.md") in written and not (output / "index.md").exists()
    assert "../index" not in (output / "ru" / "index.md").read_text(), "no link to an English page not written"
    _check_links(output / "ru")
    russian = sorted(p for p in (output / "ru").rglob("*") if p.is_file())

    write_lesson(output, language="en", progress=False)  # then the English one: the Russian files stay
    assert sorted(p for p in (output / "ru").rglob("*") if p.is_file()) == russian
    assert "](ru/index.md)" in (output / "index.md").read_text()
    _check_links(output)
    english = sorted(p for p in output.rglob("*") if p.is_file() and "ru" not in p.relative_to(output).parts)

    write_lesson(output, language="ru", progress=False)  # the Russian again, now linking back
    assert "](../index.md)" in (output / "ru" / "index.md").read_text()
    assert sorted(p for p in output.rglob("*") if p.is_file() and "ru" not in p.relative_to(output).parts) == english
    _check_links(output / "ru")
    _check_links(output)


def test_plural_ru():
    forms = ("прогон", "прогона", "прогонов")
    expected = {0: "прогонов", 1: "прогон", 2: "прогона", 4: "прогона", 5: "прогонов", 11: "прогонов",
                12: "прогонов", 14: "прогонов", 21: "прогон", 22: "прогона", 25: "прогонов", 101: "прогон",
                111: "прогонов", 112: "прогонов", 1000: "прогонов", 1001: "прогон"}  # fmt: skip
    for count, word in expected.items():
        assert plural_ru(count, *forms) == f"{count} {word}"
    assert plural_ru(1.5, *forms) == "1.5 прогона"  # a fraction takes the genitive singular
    assert plural_ru(-2, *forms) == "−2 прогона"
    assert form_ru("0.84", *forms) == "прогона" and form_ru("1e-6", *forms) == "прогона"
    assert form_ru("2e12", *forms) == "прогонов"  # a whole number in exponent notation: many
    assert times_ru("2") == "в 2 раза" and times_ru("11") == "в 11 раз" and times_ru("4.9") == "в 4.9 раза"
    assert ratio_ru(131073, 513) == "в 256 раз" and ratio_ru(5, 2) == "в 2.5 раза" and ratio_ru(1, 0) == "н/д"


# -- section 10, training from data -----------------------------------------------------------------------
NETWORK = "breast_cancer_network"


def _network():
    """The network's loss in NumPy, from its data and layout alone (independent of the compiled model): per-row
    losses and per-row gradients by hand-written backpropagation."""
    import numpy as np

    from workbench import discover_problems

    problem = discover_problems()[NETWORK]
    X, y = np.asarray(problem.data["X"], dtype=float), np.asarray(problem.data["y"], dtype=float)
    shapes = [tuple(shape) for shape in problem.layout.shapes]
    sizes = [int(np.prod(shape)) for shape in shapes]

    def unpack(x):
        parts = np.split(np.asarray(x, dtype=float), np.cumsum(sizes)[:-1])
        return [part.reshape(shape) for part, shape in zip(parts, shapes, strict=True)]

    def forward(x):
        w1, b1, w2, b2 = unpack(x)
        hidden = np.tanh(X @ w1 + b1)
        z = hidden @ w2 + b2
        sign = 2 * y - 1
        return hidden, sign, sign * (z[:, 0] - z[:, 1]), w2

    def value(x):
        return float(np.mean(np.logaddexp(0.0, forward(x)[2])))

    def row_gradients(x):  # (N, n): the gradient of each row's loss
        hidden, sign, margin, w2 = forward(x)
        slope = sign / (1 + np.exp(-margin))  # d loss / d (z0 - z1)
        dz = np.stack([slope, -slope], axis=1)
        da = (dz @ w2.T) * (1 - hidden**2)
        blocks = [X[:, :, None] * da[:, None, :], da, hidden[:, :, None] * dz[:, None, :], dz]
        return np.concatenate([b.reshape(len(X), -1) for b in blocks], axis=1)

    return problem, value, row_gradients


def test_the_gradient_check_is_what_an_independent_computation_gives(lesson, markdown, markdown_ru, runs):
    import numpy as np

    output, _ = lesson
    problem, value, row_gradients = _network()
    x0 = np.array(problem.x0, dtype=float)
    with Store(output / "lesson.sqlite") as store:
        check = store.facts()[NETWORK]["gradient_check"]
        start = store.trace(next(r["key"] for r in runs if r["problem"] == NETWORK))
    assert value(x0) == pytest.approx(start["f"][0], rel=1e-12)  # the NumPy loss is the declared one
    exact = row_gradients(x0).mean(axis=0)
    stored = np.array(check["exact"])
    assert np.max(np.abs(stored - exact)) <= 1e-12 * np.max(np.abs(exact))  # backpropagation agrees
    n = problem.n
    eps = np.finfo(float).eps
    for variant, scheme in (("fd-forward", "forward"), ("fd-central", "central")):
        entry = check["variants"][variant]
        # the stored errors are the stored estimate's against the stored exact gradient (which agrees with
        # backpropagation above); at the median they are the errors against the gradient computed here
        estimate = np.array(entry["gradient"])
        assert np.allclose(entry["relative_errors"], np.abs(estimate - stored) / np.abs(stored), rtol=1e-12, atol=0)
        here = np.median(np.abs(estimate - exact) / np.abs(exact))
        assert float(np.median(entry["relative_errors"])) == pytest.approx(here, rel=0.05)
        # finite differences of the NumPy loss with the textbook steps land at the same accuracy
        h = (eps ** 0.5 if scheme == "forward" else eps ** (1 / 3)) * np.maximum(1.0, np.abs(x0))
        s = (x0 + h) - x0
        mine = np.empty(n)
        f0 = value(x0)
        for i in range(n):
            up, down = x0.copy(), x0.copy()
            up[i] += s[i]
            down[i] -= s[i]
            mine[i] = (value(up) - f0) / s[i] if scheme == "forward" else (value(up) - value(down)) / (2 * s[i])
        median = float(np.median(np.abs(mine - exact) / np.abs(exact)))
        assert median / 3 <= float(np.median(entry["relative_errors"])) <= 3 * median, variant
        # the cost: every evaluation of f reads every row, one pass each
        assert entry["evaluations"] == entry["work"] == (n + 1 if scheme == "forward" else 2 * n)
    richardson = check["variants"]["fd-richardson"]
    assert richardson["norm_error"] < check["variants"]["fd-central"]["norm_error"]
    assert richardson["evaluations"] > 2 * n and check["exact_work"] == 1
    # the text quotes them, in both languages
    assert f"costs {n + 1} full passes over the data (n + 1 = {n + 1}), a central one {2 * n} (2n = {2 * n})" in (
        markdown)
    assert f"стоит {n + 1} проходов по данным (n + 1 = {n + 1}), центральными — {2 * n} (2n = {2 * n})" in markdown_ru
    with open(output / "tables" / "gradient-check.csv") as handle:
        table = {row["gradient"]: row for row in csv.DictReader(handle)}
    for variant, entry in check["variants"].items():
        row = table[f"`{variant}`"]
        assert float(row["relative error per weight, median"]) == pytest.approx(np.median(entry["relative_errors"]))
        assert float(row["work: passes over the data"]) == entry["work"]


def test_the_batch_gradient_spread_is_what_sampling_theory_gives(lesson):
    import numpy as np

    output, _ = lesson
    problem, _, row_gradients = _network()
    rows = row_gradients(np.array(problem.x0, dtype=float))
    mean = rows.mean(axis=0)
    sigma2 = np.mean(np.sum((rows - mean) ** 2, axis=1))
    with Store(output / "lesson.sqlite") as store:
        spread = store.facts()[NETWORK]["batch_spread"]
    count = len(rows)
    for size, measured, predicted in zip(spread["sizes"], spread["measured"], spread["predicted"], strict=True):
        theory = np.sqrt(sigma2 / size * (count - size) / (count - 1)) / np.linalg.norm(mean)
        assert predicted == pytest.approx(theory, rel=1e-9)
        assert abs(measured / theory - 1) < 0.15  # 200 draws: the measured spread scatters by a few percent


def _epoch_records(store, key):
    """f, test accuracy and k at x0 and at the end of every epoch, from the stored trace."""
    trace = store.trace(key)
    keep = [i for i, (k, e) in enumerate(zip(trace["k"], trace["epoch"], strict=True)) if k == 0 or e is not None]
    return [trace["f"][i] for i in keep], [trace["metrics"][i][0] for i in keep]


def test_the_batch_size_table_is_the_stored_runs(lesson, runs):
    import numpy as np

    output, _ = lesson
    with open(output / "tables" / "batch-sizes.csv") as handle:
        table = list(csv.DictReader(handle))
    mine = [r for r in runs if r["problem"] == NETWORK and r["options"]["schedule"] == "constant"]
    sizes = sorted({r["options"]["batch_size"] for r in mine}, key=lambda b: b or 10**9)
    assert [row["batch size"] for row in table] == [f"B = {b}" if b else "full batch (B = 455)" for b in sizes]
    with Store(output / "lesson.sqlite") as store:
        for row, size in zip(table, sizes, strict=True):
            chosen = [r for r in mine if r["options"]["batch_size"] == size]
            records = [_epoch_records(store, r["key"]) for r in chosen]
            finals = [f[-1] for f, _ in records]
            assert len(chosen) == 3 and int(row["updates per epoch"]) == -(-455 // (size or 455))
            assert all(r["iterations"] == 20 * int(row["updates per epoch"]) for r in chosen)
            assert float(row["final training loss, mean over seeds"]) == pytest.approx(np.mean(finals), rel=1e-12)
            assert float(row["final loss, max − min over seeds"]) == pytest.approx(max(finals) - min(finals), abs=1e-15)
            rises = sum(sum(b > a for a, b in zip(f, f[1:], strict=False)) for f, _ in records)
            assert int(row["epochs in which the loss rose, all seeds"]) == rises
            accuracy = np.mean([a[-1] for _, a in records])
            assert float(row["test accuracy, mean over seeds"]) == pytest.approx(accuracy, rel=1e-12)


def test_the_epoch_decay_table_is_the_stored_runs(lesson, runs):
    import numpy as np

    output, _ = lesson
    with open(output / "tables" / "epoch-decay.csv") as handle:
        table = {row["schedule"].strip("`"): row for row in csv.DictReader(handle)}
    assert list(table) == ["constant", "step:factor=0.5,every=5,unit=epoch"]
    with Store(output / "lesson.sqlite") as store:
        for schedule, row in table.items():
            chosen = [r for r in runs if r["problem"] == NETWORK and r["options"]["batch_size"] == 8
                      and r["options"]["schedule"] == schedule]  # fmt: skip
            assert len(chosen) == 3
            finals = [_epoch_records(store, r["key"])[0][-1] for r in chosen]
            assert float(row["final training loss, mean"]) == pytest.approx(np.mean(finals), rel=1e-12)
            rates = [r for r in store.trace(chosen[0]["key"])["learning_rate"] if r is not None]
            assert float(row["first learning rate"]) == rates[0] == 0.3
            assert float(row["last learning rate"]) == pytest.approx(rates[-1], rel=1e-12)
            late = sum(sum(b > a for a, b in zip(f[-11:], f[-10:], strict=False))
                       for f, _ in (_epoch_records(store, r["key"]) for r in chosen))  # fmt: skip
            assert int(row["epochs in which the loss rose, last 10, all seeds"]) == late
    assert float(table["step:factor=0.5,every=5,unit=epoch"]["last learning rate"]) == pytest.approx(0.3 / 8)
