"""The rendered pages in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
driven by selenium; nothing is downloaded at run time) opens the report index, a problem page and the
lesson page over ``file://`` and checks what a reader sees: every image loads, no table column is cut
off without a way to scroll to it, header rows stay in view while a long table scrolls, and the index
and the lesson link to each other. A full-page screenshot of the index is kept under pytest's
temporary folder (its path is printed).

The browser is started with the flags that keep it off the network (the machine's network is closed;
without them Chromium tries to reach Google) and a fresh profile. Where Chromium cannot be installed the
tests skip, naming the packages; ``.ci/run`` installs them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.report import write_report
from workbench.report.prepare import Studies, prepare
from workbench.report.training_runs import data_studies
from workbench.study import MethodSpec, Study

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")  # fmt: skip
WIDTH = 1400
MISSING = "Chromium is not installed: apt-get install -y chromium chromium-driver (.ci/run does this)"

pytestmark = pytest.mark.slow


def _paths() -> tuple[str, str] | None:
    browser = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
    from selenium.webdriver.chrome.service import Service

    paths = _paths()
    if paths is None:
        pytest.skip(MISSING)
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={WIDTH},900")
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(paths[1]))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A small report (4 problems, 5 methods, 3 variants, and the data study: the training page) with the lesson
    beside it, as ``workbench report`` and ``workbench lesson`` lay them out (``reports/`` and ``reports/lesson/``)."""
    if _paths() is None:
        pytest.skip(MISSING)
    folder = tmp_path_factory.mktemp("site")
    store = folder / "results.sqlite"
    study = Study(name="browser", problems=["rosenbrock", "saddle", "hs071", "three_hump_camel"],
                  methods=["newton", "lbfgs", "trust-constr", MethodSpec("sgd", learning_rate=0.01), "bfgs"],
                  derivatives=["analytic", "fd-forward", "complex-step"], options={"max_iterations": 300})  # fmt: skip
    prepare(study, store, jobs=2, progress=False)
    prepare(Studies(tuple(data_studies(Study(problems=["tag:data"]).resolve_problems().values()))), store, jobs=2,
            progress=False)  # fmt: skip
    output = folder / "reports"
    write_report(store, output, jobs=2)
    from workbench.lesson import write_lesson

    write_lesson(output / "lesson", jobs=2, progress=False, language="en")  # links back to the report
    write_report(store, output, jobs=2)  # now the index links to the lesson
    return output


def _open(driver, path: Path, height: int = 900) -> None:
    driver.set_window_size(WIDTH, height)
    driver.get(path.resolve().as_uri())
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")


IMAGES = """
return [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}));
"""
TABLES = """
return [...document.querySelectorAll('table')].map((table, k) => {
  const box = table.parentElement, style = getComputedStyle(box);
  return {k, box: box.className, width: table.getBoundingClientRect().width, room: box.clientWidth,
          scrolls: ['auto', 'scroll'].includes(style.overflowX) && box.scrollWidth > box.clientWidth + 1,
          right: box.getBoundingClientRect().right, page: document.documentElement.clientWidth};
});
"""


@pytest.mark.parametrize("page", ["index.html", "problems/hs071.html", "training.html", "lesson/index.html"])
def test_every_image_loads(browser, site, page):
    _open(browser, site / page)
    images = browser.execute_script(IMAGES)
    assert images, f"{page} shows no image"
    broken = [image["src"] for image in images if not image["ok"]]
    assert not broken, f"{page}: images that did not load: {broken}"


@pytest.mark.parametrize("width", [WIDTH, 800])
@pytest.mark.parametrize("page", ["index.html", "iterations.html", "accuracy.html", "problems/hs071.html",
                                  "training.html"])
def test_no_table_column_is_clipped_without_a_scrollbar(browser, site, page, width):
    _open(browser, site / page)
    browser.set_window_size(width, 900)
    tables = browser.execute_script(TABLES)
    assert tables
    for table in tables:
        assert table["box"] == "table-wrap", f"{page}: table {table['k']} is not in its scrolling box"
        fits = table["width"] <= table["room"] + 1
        assert fits or table["scrolls"], f"{page} at {width} px: table {table['k']} is cut off: {table}"
        assert table["right"] <= table["page"] + 1, f"{page} at {width} px: table {table['k']} runs off the page"
    if width < 1000 and page == "index.html":
        assert any(t["scrolls"] for t in tables), "the wide pivot should scroll in its box on a narrow window"


STICKY = """
const found = [];
for (const box of document.querySelectorAll('div.table-wrap')) {
  if (box.scrollHeight <= box.clientHeight + 20) continue;
  box.scrollIntoView();  // the box in the window, then its rows scrolled to the end
  box.scrollTop = 0;
  const before = box.querySelector('thead tr:last-child th').getBoundingClientRect().top;
  box.scrollTop = box.scrollHeight;  // to the end of the table
  const cell = box.querySelector('thead tr:last-child th');
  const rect = cell.getBoundingClientRect(), top = box.getBoundingClientRect().top;
  const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
  const seen = document.elementFromPoint(x, y);
  const groups = box.querySelector('thead tr.groups th');
  found.push({before, after: rect.top, top, visible: cell.contains(seen),
              below: groups ? rect.top >= groups.getBoundingClientRect().bottom - 2 : true});
}
return found;
"""


@pytest.mark.parametrize("page", ["problems/hs071.html", "iterations.html"])
def test_header_rows_stay_in_view_while_a_long_table_scrolls(browser, site, page):
    _open(browser, site / page, height=420)  # a short window: the long tables scroll in their boxes
    boxes = browser.execute_script(STICKY)
    assert boxes, f"{page}: no table long enough to scroll at this window height"
    for box in boxes:
        assert box["visible"], f"{page}: the header row scrolled out of view: {box}"
        assert box["top"] - 1 <= box["after"] <= box["top"] + 60, f"{page}: header not at the box's top: {box}"
        assert box["below"], f"{page}: the column headers slid under the group headers: {box}"


def test_index_and_lesson_link_to_each_other(browser, site):
    _open(browser, site / "index.html")
    browser.find_element("css selector", 'a[href="lesson/index.html"]').click()
    assert browser.current_url.endswith("/lesson/index.html")
    browser.find_element("css selector", 'a[href="../index.html"]').click()
    assert browser.current_url.endswith("/reports/index.html")
    assert "Which derivative variant is accurate?" in browser.page_source


def test_a_screenshot_of_the_index_is_kept(browser, site, tmp_path_factory, capsys):
    _open(browser, site / "index.html")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(WIDTH, min(height + 120, 8000))
    path = tmp_path_factory.mktemp("screenshots") / "index.png"
    assert browser.save_screenshot(str(path)) and path.stat().st_size > 20_000
    with capsys.disabled():
        print(f"\nscreenshot of the report index: {path}")
