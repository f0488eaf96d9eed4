"""The result store: an embedded SQLite database, the only place that writes run data.

One row per run in ``runs`` (every :class:`RunResult` field, the verdict included) and its trace in
``traces`` (compressed float64 columns; runs longer than 400 iterations keep their first 100 and then
log-spaced iterations, always the last), written together in **one transaction the moment
the run finishes**: a study stopped at any moment (Ctrl-C, kill -9, a crash) loses only the runs in
flight, and SQLite's journal guarantees that a run is either wholly stored or absent. A run's key is
the hash of the problem's declaration, method, options, variant, seed, start point and workbench
version: running a study again skips every key already stored.

Also stored: the environment of each study (``environments``: versions, and what decides the last bits
of a run on the machine, :func:`workbench.reproducibility.platform_facts`), derivative-check rows
(``checks``) and error-versus-step sweeps (``sweeps``), so reports are rendered from the store alone.

``reproducibility`` holds, per run key, why the run may not repeat even on this machine (written with
the run: ``RunResult.nondeterminism``) and the outcome of its fragility check (written by the report's
run side, :func:`workbench.report.prepare.check_fragility`: the status and iterations of the run re-made
from x0 nudged by one unit in the last place, and whether they changed). The table was added without a
schema version change: a store that lacks it gets it when opened for writing, and readers of a store
without it see no rows.

``load_runs(path)`` / ``load_traces(path)`` return lists of dicts, or pandas DataFrames with
``as_frame=True`` (pandas is optional: ``pip install pandas``).

A workbench store is recognised by the ``schema_version`` row of its ``meta`` table. Any other file (a
foreign SQLite database, a text file, a damaged store) is refused with :class:`StoreError` before
anything is written to it; a new path, or an empty file, becomes a new store. Readers
(``Store(path, readonly=True)``, ``load_runs``, ``load_traces``, the report) open the file read-only
(SQLite ``mode=ro``): no table is created, the journal mode is left alone, the file's bytes stay as
they were.

Two writers may share a store: before a run is dispatched, :meth:`Store.claim` records it in
``claims`` (key, owner, host, pid, claimed_at) in one short transaction, unless it is stored already
or claimed by another owner that is alive; the claim is released when the run is stored or the
study stops. A claim whose owner is gone (its pid no longer runs on this host, or older than
``CLAIM_TIMEOUT``) is taken over. So no run is computed twice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import operator
import os
import platform
import socket
import sqlite3
import sys
import time
import urllib.parse
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.trace import IterationRecord, RunResult, Verdict

__all__ = ["DEFAULT_STORE", "Store", "StoreError", "environment", "load_runs", "load_traces"]

DEFAULT_STORE = Path("reports") / "results.sqlite"
#: Stored traces keep at most about this many iterations per run (see ``thin``).
TRACE_KEEP = 400
SCHEMA_VERSION = 2
#: A run claim older than this (seconds) is stale whatever its owner: the owner is taken to have died.
CLAIM_TIMEOUT = 6 * 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    problem TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    method TEXT NOT NULL,
    variant TEXT NOT NULL,
    options TEXT NOT NULL,
    seed INTEGER NOT NULL,
    start INTEGER NOT NULL,
    x0 TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    x TEXT NOT NULL,
    f REAL,
    f_star REAL,
    f_error REAL,
    x_error REAL,
    iterations INTEGER NOT NULL,
    method_iterations INTEGER,
    evaluations INTEGER NOT NULL,
    work REAL NOT NULL,
    objective_evaluations INTEGER NOT NULL,
    constraint_evaluations INTEGER NOT NULL,
    gradient_calls INTEGER NOT NULL,
    hessian_calls INTEGER NOT NULL,
    counts TEXT NOT NULL,
    wall_time REAL NOT NULL,
    claimed_success INTEGER NOT NULL,
    verdict TEXT,
    stationarity REAL,
    feasibility REAL,
    complementarity REAL,
    n INTEGER NOT NULL,
    workbench_version TEXT NOT NULL,
    finished_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_study ON runs (study);
CREATE INDEX IF NOT EXISTS runs_by_problem ON runs (problem, method, variant);
CREATE TABLE IF NOT EXISTS traces (key TEXT PRIMARY KEY REFERENCES runs(key) ON DELETE CASCADE, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS environments (
    study TEXT NOT NULL, recorded_at REAL NOT NULL, data TEXT NOT NULL, PRIMARY KEY (study, recorded_at)
);
CREATE TABLE IF NOT EXISTS checks (
    problem TEXT NOT NULL, fingerprint TEXT NOT NULL, point TEXT NOT NULL, quantity TEXT NOT NULL,
    variant TEXT NOT NULL, abs_error REAL, rel_error REAL, digits REAL, evaluations INTEGER,
    predicted_error REAL, componentwise_rel_error REAL, PRIMARY KEY (problem, point, quantity, variant)
);
CREATE TABLE IF NOT EXISTS sweeps (problem TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS problems (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS methods (name TEXT PRIMARY KEY, position INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memberships (study TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (study, key));
CREATE TABLE IF NOT EXISTS facts (problem TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, claimed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS reproducibility (
    key TEXT PRIMARY KEY, nondeterminism TEXT, perturbation TEXT, status TEXT, iterations INTEGER,
    capped INTEGER, fragile INTEGER
);
"""

TRACE_FIELDS = (
    "k",
    "f",
    "stationarity",
    "violation",
    "step_size",
    "learning_rate",
    "work",
    "time",
    "batch_f",
    "epoch",
    "x",
    "metrics",
)
#: Trace fields stored as blocks (one row per record) rather than as one column.
BLOCK_FIELDS = ("x", "metrics")
#: A run's x, x0 and a problem's points are stored in full up to this many variables (beyond: null).
STORED_POINT_MAX_SIZE = 10_000


def _finite_or_none(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _point(values: Any) -> list[float] | None:
    """A point as a JSON list, or None beyond STORED_POINT_MAX_SIZE entries (a run of a million
    variables keeps its f, counts and trace, not its x)."""
    if values is None:
        return None
    values = np.asarray(values, dtype=float).reshape(-1)
    return values.tolist() if values.size <= STORED_POINT_MAX_SIZE else None


def _json(value: Any) -> str:
    def default(item: Any) -> Any:
        if isinstance(item, np.ndarray):
            return item.tolist()
        if isinstance(item, (np.floating, np.integer)):
            return item.item()
        return repr(item)

    return json.dumps(value, default=default, sort_keys=True, allow_nan=True)


def thin(records: Sequence[IterationRecord], keep: int | None = None) -> list[IterationRecord]:
    """At most about ``keep`` records: every one of the first keep/4, then log-spaced iterations, and
    always the last (convergence plots on log axes look the same; counts stay in the run's row)."""
    keep = TRACE_KEEP if keep is None else keep
    if len(records) <= keep:
        return list(records)
    head = keep // 4
    spaced = np.unique(np.geomspace(head, len(records) - 1, keep - head).astype(int))
    epochs = [i for i, r in enumerate(records) if r.epoch is not None]  # an epoch's measurements are always kept
    indices = sorted({*range(head), *spaced.tolist(), *epochs, len(records) - 1})
    return [records[i] for i in indices]


def _encode_trace(records: Sequence[IterationRecord]) -> bytes:
    """Columns of float64 (x as a (k, n) block when kept), a JSON header, zlib level 1: a 2000-step
    trace encodes in about 1 ms (JSON with zlib level 6 took 22 ms)."""
    records = thin(records)
    header: dict[str, Any] = {"length": len(records), "columns": []}
    numeric = [name for name in TRACE_FIELDS if name not in BLOCK_FIELDS]
    getter = operator.attrgetter(*numeric)
    table = np.array([getter(r) for r in records], dtype=float).reshape(len(records), len(numeric))  # None -> nan
    chunks = []
    for index, name in enumerate(numeric):
        header["columns"].append([name, [len(records)]])
        chunks.append(np.ascontiguousarray(table[:, index]).tobytes())
    if records and records[0].x is not None:
        block = np.array([r.x for r in records], dtype=float)
        header["columns"].append(["x", list(block.shape)])
        chunks.append(block.tobytes())
    width = max((len(r.metrics) for r in records), default=0)
    if width:
        block = np.array([r.metrics if len(r.metrics) == width else (np.nan,) * width for r in records], dtype=float)
        header["columns"].append(["metrics", list(block.shape)])
        chunks.append(block.tobytes())
    head = json.dumps(header).encode()
    return zlib.compress(len(head).to_bytes(4, "little") + head + b"".join(chunks), 1)


def _decode_trace(blob: bytes) -> dict[str, list[Any]]:
    raw = zlib.decompress(blob)
    size = int.from_bytes(raw[:4], "little")
    header = json.loads(raw[4 : 4 + size])
    offset = 4 + size
    columns: dict[str, list[Any]] = {}
    for name, shape in header["columns"]:
        count = int(np.prod(shape))
        values = np.frombuffer(raw, dtype=float, count=count, offset=offset).reshape(shape)
        offset += 8 * count
        if name in BLOCK_FIELDS:
            columns[name] = [tuple(row) for row in values.tolist()]
        elif name == "k":
            columns[name] = [int(v) for v in values]
        elif name in ("learning_rate", "epoch"):
            columns[name] = [None if np.isnan(v) else (int(v) if name == "epoch" else float(v)) for v in values]
        else:
            columns[name] = values.tolist()
    length = header["length"]
    columns.setdefault("x", [None] * length)
    columns.setdefault("metrics", [()] * length)
    columns.setdefault("batch_f", [float("nan")] * length)
    columns.setdefault("epoch", [None] * length)
    return columns


def environment() -> dict[str, Any]:
    """Versions and machine facts, recorded once per study: what decides the last bits of the runs on
    this machine too (CPU and flags, BLAS libraries and kernels, NumPy's SIMD, libc, LLVM, the deciding
    environment variables and kernel fingerprints: :func:`workbench.reproducibility.platform_facts`)."""
    import scipy
    import sympy

    import workbench
    from workbench.reproducibility import platform_facts

    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                "sympy": sympy.__version__, "workbench": workbench.__version__}  # fmt: skip
    try:
        import symengine

        versions["symengine"] = symengine.__version__
    except ImportError:  # pragma: no cover
        versions["symengine"] = None
    return {**versions, "platform": platform.platform(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
            **platform_facts()}


class StoreError(ValueError):
    """A file is not a workbench result store, is damaged, or cannot be opened as asked; the message
    names the file and what to do."""


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (SQLite ``mode=ro``); on a read-only medium where SQLite cannot create the
    WAL index beside the file, ``immutable=1``."""
    uri = "file:" + urllib.parse.quote(str(path.resolve()))
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        connection = sqlite3.connect(uri + query, uri=True, timeout=60.0)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return connection
        except sqlite3.Error as error:
            connection.close()
            if query.endswith("immutable=1") or "unable to open" not in str(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _kind(connection: sqlite3.Connection, path: Path) -> str:
    """``"store"`` (a workbench store), ``"empty"`` (an SQLite file without tables, such as one being
    created by another writer) or raises StoreError naming the file."""
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return "empty"
        row = None
        if "meta" in tables:
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.Error as error:
        raise _store_error(path, error, writing=False) from None
    if row is None:
        raise StoreError(
            f"{path} is not a workbench result store (it has no meta table with a schema_version; tables: "
            f"{', '.join(sorted(tables)[:5])}); it was left unchanged: point --store at a store the workbench wrote, "
            "or at a new file"
        )
    if row[0] != str(SCHEMA_VERSION):
        raise StoreError(
            f"{path} was written by another workbench version (store schema {row[0]}, this workbench reads and "
            f"writes schema {SCHEMA_VERSION}); it was left unchanged: choose a new store with --store, or delete that "
            "file to start again"
        )
    return "store"


def _store_error(path: Path, error: sqlite3.Error, *, writing: bool) -> StoreError:
    """One sentence for an SQLite error on ``path``: a file that is no store or is damaged, or one that
    cannot be opened or written (a read-only disk, a missing folder, a lock)."""
    if isinstance(error, sqlite3.OperationalError):
        if "locked" in str(error):
            return StoreError(f"the result store {path} is locked by another process ({error}); try again later")
        what = "write" if writing else "open"
        return StoreError(
            f"cannot {what} the result store {path} ({error}); check that the file and its folder are "
            + ("writable (not on a read-only disk)" if writing else "readable")
            + ", or choose another --store"
        )
    return StoreError(
        f"{path} is not a workbench result store or is damaged ({error}); point --store at a store the workbench "
        "wrote (or a copy of it), or at a new file"
    )


class Store:
    """A handle on one SQLite result store (created on first use unless ``readonly``). Use as a context
    manager. A file that is not a workbench store is refused (module docstring)."""

    def __init__(self, path: str | Path = DEFAULT_STORE, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # of this handle's claims
        if readonly:
            if not self.path.is_file():
                raise FileNotFoundError(
                    f"no result store at {self.path}; run a study first (workbench run / workbench report)"
                )
            self.connection = self._open(lambda: _connect_readonly(self.path))
            try:
                if _kind(self.connection, self.path) != "store":
                    raise StoreError(
                        f"{self.path} is an empty SQLite file, not a workbench result store; run a study into it first"
                    )
                self.connection.execute("PRAGMA query_only=ON")
            except BaseException:
                self.connection.close()
                raise
            return
        if self.path.is_dir():
            raise StoreError(f"result store {self.path} is a folder; give a file path such as {self.path / 'x.sqlite'}")
        if self.path.exists() and self.path.stat().st_size > 0:  # inspect before writing anything to it
            probe = self._open(lambda: _connect_readonly(self.path))
            try:
                _kind(probe, self.path)
            finally:
                probe.close()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the folder of the result store {self.path} ({error.strerror}); choose a --store in a "
                "writable folder"
            ) from None
        self.connection = self._open(lambda: sqlite3.connect(self.path, timeout=60.0))
        try:
            self._create()
        except sqlite3.Error as error:
            self.connection.close()
            raise _store_error(self.path, error, writing=True) from None

    def _open(self, connect: Any) -> sqlite3.Connection:
        try:
            return connect()
        except sqlite3.Error as error:
            raise _store_error(self.path, error, writing=False) from None

    def _create(self) -> None:
        """The schema, in one transaction: another process sees no tables or all of them."""
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA foreign_keys=ON")
        self.connection.executescript(
            "BEGIN IMMEDIATE;\n"
            + _SCHEMA
            + f"INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;"
        )

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ----------------------------------------------------------------------------------
    def keys(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT key FROM runs")}

    def write_run(self, key: str, result: RunResult, *, study: str, fingerprint: str, start: int,
                  f_star: float | None, n: int) -> None:  # fmt: skip
        """Store one finished run and its trace in one transaction (replacing an older copy)."""
        from workbench import __version__

        counts = result.counts or {}
        verdict = result.verdict
        blob = _encode_trace(result.trace)
        row = (
            key, study, result.problem, fingerprint, result.method, result.variant, _json(result.options),
            int(result.seed), int(start), _json(_point(result.x0)), result.status, result.message,
            _json(_point(result.x)), _finite_or_none(result.f), f_star,
            None if verdict is None else _finite_or_none(verdict.f_error),
            None if verdict is None else _finite_or_none(verdict.x_error),
            int(result.iterations), result.method_iterations,
            int(counts.get("objective_evaluations", 0)) + int(counts.get("constraint_evaluations", 0)),
            float(result.work), int(counts.get("objective_evaluations", 0)),
            int(counts.get("constraint_evaluations", 0)),
            int(counts.get("gradient", 0)), int(counts.get("hessian", 0)), _json(counts), float(result.wall_time),
            int(bool(result.claimed_success)), None if verdict is None else _json(verdict.as_dict()),
            None if verdict is None else _finite_or_none(verdict.stationarity),
            None if verdict is None else _finite_or_none(verdict.feasibility),
            None if verdict is None else _finite_or_none(verdict.complementarity),
            int(n), __version__, time.time(),
        )  # fmt: skip
        with self.connection:
            self.connection.execute("DELETE FROM traces WHERE key = ?", (key,))
            self.connection.execute(f"INSERT OR REPLACE INTO runs VALUES ({', '.join('?' * len(row))})", row)
            self.connection.execute("INSERT INTO traces VALUES (?, ?)", (key, blob))
            self._write_nondeterminism(key, result.nondeterminism)

    # -- reproducibility: why a run may not repeat, and whether its outcome is fragile ----------------
    def _write_nondeterminism(self, key: str, reason: str | None) -> None:
        """Within write_run's transaction: the run is new, so an earlier fragility check of its key is void."""
        self.connection.execute("DELETE FROM reproducibility WHERE key = ?", (key,))
        if reason:
            self.connection.execute("INSERT INTO reproducibility (key, nondeterminism) VALUES (?, ?)", (key, reason))

    def write_fragility(self, key: str, *, perturbation: str, status: str, iterations: int, capped: bool,
                        fragile: bool) -> None:  # fmt: skip
        """The outcome of run ``key`` re-made from a perturbed start (``perturbation`` says how): its status and
        iterations, whether it stopped at the cap of the original's iterations + 1 (``capped``: it needed
        more) and whether status or iterations differ from the stored run's (``fragile``)."""
        with self.connection:
            self.connection.execute(
                "INSERT INTO reproducibility (key, perturbation, status, iterations, capped, fragile) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET perturbation = excluded.perturbation, "
                "status = excluded.status, iterations = excluded.iterations, capped = excluded.capped, "
                "fragile = excluded.fragile",
                (key, perturbation, status, int(iterations), int(bool(capped)), int(bool(fragile))),
            )

    def _has_reproducibility(self) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reproducibility'"
        return self.connection.execute(query).fetchone() is not None

    def _nondeterminism(self, key: str) -> str | None:
        if not self._has_reproducibility():
            return None
        row = self.connection.execute("SELECT nondeterminism FROM reproducibility WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def reproducibility(self) -> dict[str, dict[str, Any]]:
        """{run key: {"nondeterminism", "perturbation", "status", "iterations", "capped", "fragile"}} for the
        runs with a reason or a fragility check (none in a store written before the table existed)."""
        if not self._has_reproducibility():
            return {}
        cursor = self.connection.execute("SELECT * FROM reproducibility ORDER BY key")
        names = [d[0] for d in cursor.description]
        rows = {}
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            for flag in ("capped", "fragile"):
                row[flag] = None if row[flag] is None else bool(row[flag])
            rows[row.pop("key")] = row
        return rows

    # -- claims: two writers on one store compute each run once ----------------------------------
    def claim(self, key: str) -> bool:
        """Claim run ``key`` for this handle's owner, in one short transaction; False when the run is
        stored already or claimed by another owner that is alive (module docstring)."""
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            if connection.execute("SELECT 1 FROM runs WHERE key = ?", (key,)).fetchone() is not None:
                connection.commit()
                return False
            row = connection.execute("SELECT owner, host, pid, claimed_at FROM claims WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] != self.owner and _claim_alive(*row[1:]):
                connection.commit()
                return False
            connection.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?)",
                (key, self.owner, socket.gethostname(), os.getpid(), time.time()),
            )
            connection.commit()
            return True
        except BaseException:
            connection.rollback()
            raise

    def release(self, keys: Iterable[str] | None = None) -> None:
        """Release this owner's claims on ``keys`` (all of them when None)."""
        with self.connection:
            if keys is None:
                self.connection.execute("DELETE FROM claims WHERE owner = ?", (self.owner,))
            else:
                self.connection.executemany(
                    "DELETE FROM claims WHERE key = ? AND owner = ?", [(key, self.owner) for key in keys]
                )

    def delete_runs(self, keys: Iterable[str]) -> None:
        keys = [(k,) for k in keys]
        with self.connection:
            self.connection.executemany("DELETE FROM traces WHERE key = ?", keys)
            self.connection.executemany("DELETE FROM runs WHERE key = ?", keys)
            self.connection.executemany("DELETE FROM reproducibility WHERE key = ?", keys)

    def runs(self, where: str = "", parameters: tuple = ()) -> list[dict[str, Any]]:
        """Stored runs as dicts (JSON columns decoded), optionally filtered by an SQL ``where``."""
        query = (
            "SELECT * FROM runs"
            + (f" WHERE {where}" if where else "")
            + " ORDER BY problem, method, variant, seed, start, key"
        )
        cursor = self.connection.execute(query, parameters)
        names = [d[0] for d in cursor.description]
        rows = []
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            for column in ("options", "x0", "x", "counts", "verdict"):
                if row[column] is not None:
                    row[column] = json.loads(row[column])
            row["claimed_success"] = bool(row["claimed_success"])
            rows.append(row)
        return rows

    def trace(self, key: str) -> dict[str, list[Any]]:
        """The trace of one run as columns (k, f, stationarity, ...)."""
        row = self.connection.execute("SELECT data FROM traces WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(f"no trace stored for run {key}")
        return _decode_trace(row[0])

    def result(self, key: str) -> RunResult:
        """A stored run rebuilt as a RunResult (trace included)."""
        rows = self.runs("key = ?", (key,))
        if not rows:
            raise KeyError(f"no run {key} in {self.path}")
        row = rows[0]
        columns = self.trace(key)
        records = tuple(
            IterationRecord(
                **{
                    name: (
                        tuple(columns[name][i]) if name == "x" and columns[name][i] is not None else columns[name][i]
                    )
                    for name in TRACE_FIELDS
                }
            )  # fmt: skip
            for i in range(len(columns["k"]))
        )
        verdict = None
        if row["verdict"] is not None:  # fields of this version only (older stores may hold more)
            known = {f.name for f in dataclasses.fields(Verdict)}
            verdict = Verdict(**{k: v for k, v in row["verdict"].items() if k in known})
        return RunResult(
            problem=row["problem"], method=row["method"], variant=row["variant"], options=row["options"],
            seed=row["seed"], status=row["status"], message=row["message"], x=np.array(row["x"], dtype=float),
            f=float("nan") if row["f"] is None else row["f"], iterations=row["iterations"],
            method_iterations=row["method_iterations"], counts=row["counts"], wall_time=row["wall_time"],
            trace=records, claimed_success=row["claimed_success"], verdict=verdict, x0=tuple(row["x0"]),
            nondeterminism=self._nondeterminism(key),
        )  # fmt: skip

    # -- problems ------------------------------------------------------------------------------
    def write_problems(self, problems: Iterable[Any]) -> None:
        """Record each problem's declaration and metadata, so reports need nothing but the store."""
        import sympy as sp

        rows = []
        for p in problems:
            data = {
                "n": p.n, "m": p.m, "equalities": len(p.equality_indices), "inequalities": len(p.inequality_indices),
                "bounded": p.bounds is not None, "lower": _point(p.lower), "upper": _point(p.upper),
                "x0": _point(p.x0), "x_star": _point(p.x_star), "f_star": p.f_star,
                "local_minima": list(p.local_minima), "tags": list(p.tags), "notes": p.notes, "source": p.source,
                "variables": list(p.layout.names), "shapes": [list(shape) for shape in p.layout.shapes],
                "objective": sp.srepr(p.objective), "smooth": p.is_smooth, "structured": p.is_structured,
                "samples": p.samples, "metrics": list(p.metrics), "convex": p.convex,
            }  # fmt: skip
            rows.append((p.name, p.fingerprint(), _json(data)))
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO problems VALUES (?, ?, ?)", rows)

    def problems(self) -> dict[str, dict[str, Any]]:
        """{name: metadata} of every recorded problem (``objective`` is SymPy's srepr)."""
        rows = self.connection.execute("SELECT name, fingerprint, data FROM problems ORDER BY name")
        return {name: {"name": name, "fingerprint": fp, **json.loads(d)} for name, fp, d in rows}

    # -- methods and study memberships ---------------------------------------------------------
    def write_methods(self, methods: Sequence[dict[str, Any]]) -> None:
        """Record the method catalogue in its order (name, group, summary, capabilities), so renderers
        need nothing but the store."""
        rows = [(m["name"], position, _json(m)) for position, m in enumerate(methods)]
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO methods VALUES (?, ?, ?)", rows)

    def methods(self) -> dict[str, dict[str, Any]]:
        """{name: description} in the recorded order."""
        rows = self.connection.execute("SELECT name, data FROM methods ORDER BY position, name")
        return {name: json.loads(data) for name, data in rows}

    def write_memberships(self, study: str, keys: Iterable[str]) -> None:
        """Record that the runs ``keys``, in this order, make up ``study`` (replacing what was recorded
        for it; a run two studies share is stored once and belongs to both)."""
        with self.connection:
            self.connection.execute("DELETE FROM memberships WHERE study = ?", (study,))
            self.connection.executemany("INSERT OR IGNORE INTO memberships VALUES (?, ?)", [(study, k) for k in keys])

    def study_keys(self, study: str) -> list[str]:
        """The keys of the runs that belong to ``study``, in the order they were recorded."""
        rows = self.connection.execute("SELECT key FROM memberships WHERE study = ? ORDER BY rowid", (study,))
        return [key for (key,) in rows]

    # -- facts ---------------------------------------------------------------------------------
    def write_facts(self, problem: str, fingerprint: str, facts: dict[str, Any]) -> None:
        """Numbers about a problem that renderers need and cannot read from runs (a lesson's curvatures
        at x0, say), computed by the run side from the declaration ``fingerprint``."""
        with self.connection:
            self.connection.execute(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?)", (problem, fingerprint, _json(facts))
            )

    def facts(self) -> dict[str, dict[str, Any]]:
        """{problem: {"fingerprint": ..., **facts}}."""
        rows = self.connection.execute("SELECT problem, fingerprint, data FROM facts ORDER BY problem")
        return {p: {"fingerprint": fp, **json.loads(d)} for p, fp, d in rows}

    # -- environment, checks, sweeps -----------------------------------------------------------
    def record_environment(self, study: str) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT OR REPLACE INTO environments VALUES (?, ?, ?)", (study, time.time(), _json(environment()))
            )

    def environments(self) -> list[dict[str, Any]]:
        rows = self.connection.execute("SELECT study, recorded_at, data FROM environments ORDER BY recorded_at")
        return [{"study": s, "recorded_at": t, **json.loads(d)} for s, t, d in rows]

    def traces(self, keys: Iterable[str]) -> dict[str, dict[str, list[Any]]]:
        """Traces of several runs at once: {key: columns}."""
        result = {}
        for key in keys:
            row = self.connection.execute("SELECT data FROM traces WHERE key = ?", (key,)).fetchone()
            if row is not None:
                result[key] = _decode_trace(row[0])
        return result

    def write_checks(self, problem: str, fingerprint: str, rows: Iterable[Any]) -> None:
        values = [
            (problem, fingerprint, r.point, r.quantity, r.variant, _finite_or_none(r.abs_error),
             _finite_or_none(r.rel_error), _finite_or_none(r.digits), int(r.evaluations),
             _finite_or_none(r.predicted_error), _finite_or_none(r.componentwise_rel_error))
            for r in rows
        ]  # fmt: skip
        with self.connection:
            self.connection.execute("DELETE FROM checks WHERE problem = ?", (problem,))
            self.connection.executemany(f"INSERT INTO checks VALUES ({', '.join('?' * 11)})", values)

    def checks(self) -> list[dict[str, Any]]:
        cursor = self.connection.execute("SELECT * FROM checks ORDER BY problem, point, quantity, variant")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor]

    def check_fingerprints(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT DISTINCT problem, fingerprint FROM checks"))

    def write_sweep(self, problem: str, fingerprint: str, sweep: dict[str, Any]) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT OR REPLACE INTO sweeps VALUES (?, ?, ?)", (problem, fingerprint, _json(sweep))
            )

    def sweeps(self) -> dict[str, dict[str, Any]]:
        rows = self.connection.execute("SELECT problem, fingerprint, data FROM sweeps ORDER BY problem")
        return {p: {"fingerprint": fp, **json.loads(d)} for p, fp, d in rows}


def _claim_alive(host: str, pid: int, claimed_at: float) -> bool:
    """Whether a claim's owner may still be running: not when the claim is older than CLAIM_TIMEOUT,
    nor when it was made on this host by a process that no longer exists."""
    if time.time() - claimed_at > CLAIM_TIMEOUT:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError included: the process exists
        return True
    return True


@contextlib.contextmanager
def _open(path: str | Path) -> Iterator[Store]:
    store = Store(path, readonly=True)
    try:
        yield store
    finally:
        store.close()


def load_runs(path: str | Path = DEFAULT_STORE, *, as_frame: bool = False) -> Any:
    """Every stored run as a list of dicts, or a pandas DataFrame (``as_frame=True``)."""
    with _open(path) as store:
        rows = store.runs()
    if as_frame:
        import pandas as pd

        return pd.DataFrame(rows)
    return rows


def load_traces(path: str | Path = DEFAULT_STORE, *, as_frame: bool = False) -> Any:
    """Every stored iteration (one row per run and k, with the run's key, problem, method, variant)."""
    with _open(path) as store:
        rows = []
        for run in store.runs():
            columns = store.trace(run["key"])
            for i in range(len(columns["k"])):
                row = {"key": run["key"], "problem": run["problem"], "method": run["method"], "variant": run["variant"],
                       "seed": run["seed"], "start": run["start"]}  # fmt: skip
                row.update({name: columns[name][i] for name in TRACE_FIELDS if name not in BLOCK_FIELDS})
                rows.append(row)
    if as_frame:
        import pandas as pd

        return pd.DataFrame(rows)
    return rows
