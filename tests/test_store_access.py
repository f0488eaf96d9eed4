"""Who may touch a store and how: files that are not workbench stores are refused and left as they
were; readers open stores read-only and change no byte; two writers on one store compute each run
once (run claims)."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from workbench.cli import main
from workbench.store import CLAIM_TIMEOUT, Store, StoreError, load_runs, load_traces
from workbench.study import Study


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "results.sqlite"
    Study(name="small", problems=["booth", "rosenbrock"], methods=["lbfgs", "newton"]).run(store=path, progress=False)
    return path


def foreign_sqlite(path):
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE people (name TEXT)")
        connection.execute("INSERT INTO people VALUES ('ada')")
    connection.close()


def snapshot(folder):
    """Every file of a folder with its bytes, except SQLite's WAL companions of a store opened to read."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.endswith(("-shm", "-wal"))}


# -- foreign files --------------------------------------------------------------------------------------------------


def test_a_foreign_sqlite_file_is_refused_by_every_entry_point_and_unchanged(tmp_path):
    path = tmp_path / "people.sqlite"
    foreign_sqlite(path)
    before = snapshot(tmp_path)
    for open_it in (Store, lambda p: Store(p, readonly=True), load_runs, load_traces):
        with pytest.raises(StoreError, match="not a workbench result store .*no meta table with a schema_version"):
            open_it(path)
    with pytest.raises(StoreError, match="not a workbench result store"):
        Study(problems=["booth"]).run(store=path, progress=False)
    assert snapshot(tmp_path) == before and set(os.listdir(tmp_path)) == {"people.sqlite"}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert [row[0] for row in connection.execute("SELECT name FROM sqlite_master")] == ["people"]
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never switched to WAL
    connection.close()


def test_export_on_a_foreign_sqlite_file_leaves_its_bytes_identical(tmp_path, capsys):
    path = tmp_path / "people.sqlite"
    foreign_sqlite(path)
    before = path.read_bytes()
    assert main(["export", "--store", str(path), "--output", str(tmp_path / "out")]) == 2
    assert "not a workbench result store" in capsys.readouterr().err
    assert path.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_new_path_and_an_empty_file_become_stores(tmp_path):
    with Store(tmp_path / "deep" / "new.sqlite") as store:
        assert store.keys() == set()
    (tmp_path / "empty.sqlite").write_bytes(b"")
    with Store(tmp_path / "empty.sqlite") as store:
        assert store.keys() == set()
    with Store(tmp_path / "empty.sqlite", readonly=True) as store:  # now a store
        assert store.runs() == []


def test_an_empty_file_is_not_a_store_to_read(tmp_path):
    (tmp_path / "empty.sqlite").write_bytes(b"")
    with pytest.raises(StoreError, match="empty SQLite file"):
        load_runs(tmp_path / "empty.sqlite")
    with pytest.raises(FileNotFoundError, match="no result store"):
        load_runs(tmp_path / "missing.sqlite")


# -- readers change nothing -------------------------------------------------------------------------------------------


def test_readers_leave_a_real_store_byte_for_byte(real_store, tmp_path, capsys):
    folder = real_store.parent
    before = real_store.read_bytes()
    assert len(load_runs(real_store)) == 4 and load_traces(real_store)
    assert main(["export", "--store", str(real_store), "--output", str(tmp_path / "export")]) == 0
    assert main(["report", "--from-store", "--store", str(real_store), "--output", str(tmp_path / "report"),
                 "--jobs", "1"]) == 0  # fmt: skip
    assert real_store.read_bytes() == before
    assert set(snapshot(folder)) == {"results.sqlite"}


def test_a_read_only_handle_cannot_write(real_store):
    before = real_store.read_bytes()
    with Store(real_store, readonly=True) as store:
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            store.record_environment("intruder")
    assert real_store.read_bytes() == before


# -- run claims -------------------------------------------------------------------------------------------------------


def insert_claim(path, key, *, host, pid, claimed_at):
    connection = sqlite3.connect(path)
    with connection:
        row = (key, host, pid, claimed_at)
        connection.execute("INSERT OR REPLACE INTO claims VALUES (?, 'other-owner', ?, ?, ?)", row)
    connection.close()


def dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_claims_skip_live_owners_and_take_over_dead_or_stale_ones(tmp_path, real_store):
    path = tmp_path / "claims.sqlite"
    path.write_bytes(real_store.read_bytes())
    stored = next(iter(load_runs(path)))["key"]
    here = socket.gethostname()
    with Store(path) as first, Store(path) as second:
        assert first.claim("k1") and first.claim("k1")  # claiming again is harmless
        assert not second.claim("k1")  # a live owner (this very process) holds it
        first.release(["k1"])
        assert second.claim("k1")
        assert not first.claim(stored)  # already stored: nobody computes it again
        insert_claim(path, "dead", host=here, pid=dead_pid(), claimed_at=time.time())
        assert first.claim("dead")  # its owner's process is gone
        insert_claim(path, "remote", host="another-host", pid=1, claimed_at=time.time())
        assert not first.claim("remote")  # another machine's claim: alive until it is stale
        insert_claim(path, "stale", host="another-host", pid=1, claimed_at=time.time() - CLAIM_TIMEOUT - 1)
        assert first.claim("stale")
        second.release()
        first.release()
        owners = second.connection.execute("SELECT owner FROM claims").fetchall()
        assert owners == [("other-owner",)]  # only the remote one is left


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_study_skips_runs_another_writer_claimed_and_releases_its_own(tmp_path, jobs):
    path = tmp_path / "results.sqlite"
    study = Study(name="one", problems=["booth", "beale"], methods=["lbfgs", "bfgs"])
    keys = [task.key for task, _ in study.tasks()]
    with Store(path) as other:
        assert other.claim(keys[0]) and other.claim(keys[1])
        summary = study.run(store=path, progress=False, jobs=jobs)
        assert (summary.ran, summary.elsewhere, summary.planned) == (2, 2, 4)
        assert "2 made by another writer" in summary.text()
        assert {r["key"] for r in load_runs(path)} == set(keys[2:])
        held = {row[0] for row in other.connection.execute("SELECT key FROM claims")}
        assert held == set(keys[:2])  # the study released its own claims, not the other writer's
        other.release()
    summary = study.run(store=path, progress=False)
    assert (summary.ran, summary.elsewhere, summary.resumed) == (2, 0, 2)


TWO_WRITERS = textwrap.dedent(
    """
    import json, sys, time, warnings
    from pathlib import Path

    import workbench.store
    from workbench.discovery import discover_problems, select_problems
    from workbench.study import MethodSpec, Study

    store, go, log, jobs = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    computed = []
    write_run = workbench.store.Store.write_run

    def counting(self, key, result, **kwargs):  # every computed run is written once: count the writes
        computed.append(key)
        return write_run(self, key, result, **kwargs)

    workbench.store.Store.write_run = counting
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problems = select_problems(discover_problems(), ["booth", "beale", "rosenbrock", "himmelblau"])
    study = Study(name="shared", problems=list(problems.values()),
                  methods=["lbfgs", "newton", MethodSpec("sgd", learning_rate=[1e-4, 1e-3], max_iterations=1000)],
                  derivatives=["analytic", "fd-forward", "fd-central"])
    study.tasks()
    log.with_suffix(".ready").touch()
    while not go.exists():
        time.sleep(0.005)
    summary = study.run(store=store, jobs=jobs, progress=False)
    log.write_text(json.dumps({"computed": computed, "ran": summary.ran, "elsewhere": summary.elsewhere,
                               "planned": summary.planned}))
    """
)


def test_two_writers_on_one_store_compute_every_run_exactly_once(tmp_path):
    store, go = tmp_path / "results.sqlite", tmp_path / "go"
    script = tmp_path / "writer.py"
    script.write_text(TWO_WRITERS)
    logs = [tmp_path / "a.json", tmp_path / "b.json"]
    writers = [
        subprocess.Popen([sys.executable, str(script), str(store), str(go), str(log), "1"], stderr=subprocess.PIPE)
        for log in logs
    ]
    deadline = time.monotonic() + 120
    while not all(log.with_suffix(".ready").exists() for log in logs):  # both have loaded the library
        assert time.monotonic() < deadline and all(w.poll() is None for w in writers)
        time.sleep(0.01)
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err.decode()
    a, b = (json.loads(log.read_text()) for log in logs)
    planned = a["planned"]
    assert planned == b["planned"] == 48
    computed = a["computed"] + b["computed"]
    assert len(computed) == len(set(computed)) == planned  # each run computed exactly once
    assert a["computed"] and b["computed"]  # both writers did work: they really ran side by side
    assert (a["ran"] + b["ran"], a["elsewhere"] + b["elsewhere"]) == (planned, planned)
    rows = load_runs(store)
    assert len(rows) == planned and {row["study"] for row in rows} == {"shared"}
    connection = sqlite3.connect(store)
    assert connection.execute("SELECT count(*) FROM claims").fetchone()[0] == 0  # every claim released
    connection.close()


def test_the_dispatch_queue_asks_the_claim_before_each_task():
    from workbench.parallel import Task, _AffinityQueue

    tasks = [Task(key=f"k{i}", fingerprint=f"p{i % 2}", problem="p", method="m", variant="analytic", options={},
                  seed=0, start=0) for i in range(6)]  # fmt: skip
    asked = []

    def claim(task):
        asked.append(task.key)
        return task.key not in ("k0", "k3")

    queue = _AffinityQueue(tasks, claim)
    dispatched = []
    while (task := queue.next_for(dispatched[-1].fingerprint if dispatched else None, [])) is not None:
        dispatched.append(task)
    assert sorted(asked) == [t.key for t in tasks]
    assert sorted(t.key for t in dispatched) == ["k1", "k2", "k4", "k5"]
