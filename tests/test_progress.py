"""The progress line: named phases, an ETA that leaves out instant (not applicable) runs, silent off a
terminal unless asked; the count of instant runs comes from the methods' capabilities before running."""

import io

from workbench.progress import Progress, instant_runs
from workbench.study import Study


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_eta_leaves_out_instant_runs():
    clock = FakeClock()
    bar = Progress(10, instant=4, enabled=False, clock=clock)
    assert bar.eta() is None  # nothing that took time has finished yet
    for status in ("not_applicable", "not_applicable"):
        bar.update(status)  # instant: no time passes
    assert bar.eta() is None
    for _ in range(3):
        clock.now += 2.0  # each real run takes 2 s
        bar.update("converged")
    for _ in range(2):
        bar.update("not_applicable")
    # 6 s for 3 timed runs; 10 - 4 instant - 3 done = 3 timed runs left: 6 s (counting the instant runs
    # as finished work would have said 6 / 7 * 3 = 2.6 s)
    assert bar.eta() == 6.0
    clock.now += 2.0
    bar.update("max_iterations")
    assert bar.eta() == 8.0 / 4 * 2
    bar.update("diverged")
    bar.update("failed")
    assert bar.eta() == 0.0 and bar.done == 10


def test_an_instant_run_that_was_not_foreseen_does_not_make_the_eta_negative():
    clock = FakeClock()
    bar = Progress(3, instant=0, enabled=False, clock=clock)
    clock.now += 1.0
    bar.update("converged")
    bar.update("not_applicable")
    assert bar.eta() == 1.0  # one run left, 1 s per run


def test_the_line_names_its_phase_the_last_task_and_the_eta_and_is_silent_off_a_terminal():
    stream = io.StringIO()
    quiet = Progress(2, stream=stream)  # StringIO is no terminal
    quiet.update("converged", task="hs071 newton analytic")
    quiet.close()
    assert stream.getvalue() == ""
    clock = FakeClock()
    bar = Progress(4, stream=stream, enabled=True, phase="figures", label="figures", failures=False, clock=clock)
    clock.now += 3.0
    bar.update("done", task="convergence hs071")
    bar.close()
    text = stream.getvalue()
    assert "figures" in text and "1/4 figures" in text and "ETA 00:09" in text and "last: convergence hs071" in text
    assert "failed" not in text


def test_a_lesson_study_feeds_a_shared_line_and_leaves_it_open(tmp_path):
    stream = io.StringIO()
    study = Study(name="shared", problems=["booth", "hs071"], methods=["newton"], derivatives=["analytic"])
    bar = Progress(2, stream=stream, enabled=True, phase="lesson runs", failures=False, instant=1)
    bar.context = "shared"
    study.run(store=tmp_path / "s.sqlite", progress=bar)
    assert bar.done == 2 and bar._bar is not None  # fed, not closed
    assert bar.statuses["not_applicable"] == 1  # newton does not handle hs071's constraints
    bar.close()
    assert "2/2 runs" in stream.getvalue() and "last: shared: " in stream.getvalue()


def test_instant_runs_are_known_before_running():
    study = Study(problems=["booth", "hs071"], methods=["newton", "slsqp"], derivatives=["analytic", "fd-forward"])
    tasks = study.tasks()
    problems = {p.fingerprint(): p for _, p in tasks}
    # newton cannot run hs071 (constraints) in either variant; slsqp runs both problems
    assert instant_runs([t for t, _ in tasks], problems) == 2
