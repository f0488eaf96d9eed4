"""Reproducibility: what makes a run repeat bit for bit, and what the workbench records about the rest.

A run (:func:`workbench.runner.solve`) is a deterministic function of its problem, method, options,
variant, seed and start point, **and** of the numerical kernels of the machine it runs on. Measured on
the report's default study (issue 12, section 4):

* **BLAS threads.** OpenBLAS splits some operations over threads; with several threads a sum may be
  taken in another order. :func:`single_blas_thread` limits every BLAS library loaded in the process to
  one thread (``threadpoolctl``) for the length of each run, wherever it runs: ``solve`` in a script,
  ``workbench solve``, serial and parallel studies. (Study workers were already started with
  ``OPENBLAS_NUM_THREADS=1``; the main process was not.)
* **The BLAS kernel** OpenBLAS picks for the CPU at load time (``SkylakeX``, ``Haswell``, ``Zen``, ...;
  ``OPENBLAS_CORETYPE`` overrides it). Kernels of different CPUs accumulate dot products in different
  orders and with or without fused multiply-adds, so the last bits of ``x @ y``, of LAPACK's solves and of
  everything in SciPy's optimizers differ. It cannot be switched once the library is loaded; it is
  recorded (:func:`platform_facts`). Measured: the same default study under ``OPENBLAS_CORETYPE=Haswell``
  instead of the ``SkylakeX`` this CPU gets changed the status or iteration count of 578 of the 3 970 runs
  that ran, all of them in SciPy's methods and Newton (first-order methods use no BLAS).
  **The `workbench` command pins it** (:func:`portable_kernels`, applied by :func:`workbench.cli.entry`
  before NumPy loads): on every x86-64 CPU with AVX2 and FMA it runs with ``OPENBLAS_CORETYPE=Haswell``,
  the kernel such CPUs all support, and NumPy's AVX-512 loops disabled, so an AVX-512 machine and an
  AVX2-only one compute alike. A variable the user set is left as it is; ``WORKBENCH_NATIVE_KERNELS=1``
  turns the pin off. Scripts that import NumPy themselves get the machine's choice (set the variables
  :func:`portable_kernels` returns before importing NumPy to pin it there too).
* **NumPy's SIMD loops** (``np.exp``, ``np.log``, ``np.power``, ...; AVX-512 or AVX2 code chosen at import,
  ``NPY_DISABLE_CPU_FEATURES`` overrides it) and **the C library's libm** (glibc picks FMA or SSE2
  variants of ``exp``, ``log``, ``sin``, ``cos``, ``atan``, ``pow`` for the CPU, ``GLIBC_TUNABLES``
  overrides it): measured, about 1 in 1 000 results differ by one unit in the last place between the
  variants. Recorded.
* **symengine's LLVM code** does *not* depend on the host: symengine builds its JIT with LLVM's
  ``EngineBuilder`` and sets no CPU or features, so LLVM compiles for the generic CPU of the target triple
  (on x86-64: SSE2 scalar code, no AVX, no FMA; seen in the object code symengine pickles), and it sets no
  fast-math flags, so no multiply-add is contracted. There is no switch (environment variable, symengine
  option or ``Lambdify`` argument) for host-tuned code, and none is needed. The functions it calls
  (``exp``, ``sin``, ``pow``, ...) are libm's, above.
* **SciPy's trust-krylov is not deterministic** (a SciPy defect, SciPy 1.17 and earlier): when the
  trust-region subproblem needs the leftmost eigenvector of its Lanczos tridiagonal matrix (the hard case),
  ``trlib_eigen_inverse`` in ``scipy/optimize/_trlib/trlib_eigen_inverse.c`` starts inverse iteration from a
  vector of ``rand()`` values after ``srand(time(NULL))``: the step depends on the wall-clock *second* it is
  computed in (and the process-wide C ``rand()`` state is reseeded). Measured: ``mgh20_watson_9`` with
  ``fd-central`` took 22, 26 or 500 iterations in fresh processes with one BLAS thread; the same captured
  subproblem (same 9 x 9 matrix, gradient and radius) gives a new step each second and the same step within
  a second. Valgrind reports no read of uninitialised memory in trlib. :class:`RandWatch` detects the call
  (the C ``rand()`` sequence moved during the run) and the run is marked :data:`CLOCK_SEEDED`.
* **Wall-clock limits.** A run stopped by its ``time_limit`` (status ``timeout``) stops after as many
  iterations as the machine managed: :data:`TIME_LIMIT`.

Outcomes that are *fragile* change when x0 moves by one unit in the last place (:func:`nudge`): the report
re-runs every run that ran with the nudged start (:func:`workbench.report.prepare.check_fragility`) and
marks those whose status or iteration count changed. Machine differences move a run's arithmetic by a few
units in the last place too, so a fragile outcome is one a second machine may well not repeat, and an
outcome that is not fragile is one a reader can rely on.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import platform
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "CLOCK_SEEDED",
    "PERTURBATION",
    "TIME_LIMIT",
    "RandWatch",
    "kernel_fingerprints",
    "nudge",
    "platform_facts",
    "portable_kernels",
    "single_blas_thread",
]

#: ``RunResult.nondeterminism``: native code called the C library's ``rand()`` during the run; in
#: SciPy's trust-krylov that is trlib's start vector seeded with the wall-clock second (module docstring).
CLOCK_SEEDED = "clock-seeded"
#: ``RunResult.nondeterminism``: the run was stopped by its wall-clock ``time_limit``.
TIME_LIMIT = "time-limit"
#: The perturbation of the fragility check, as stored with each checked run.
PERTURBATION = "x0 moved one unit in the last place towards +inf on every component (numpy.nextafter)"
#: Environment variables that choose kernels or threads; recorded when set.
DECIDING_VARIABLES = (
    "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OPENBLAS_VERBOSE", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
    "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
    "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES", "GLIBC_TUNABLES",
)  # fmt: skip


def nudge(x0: Any) -> np.ndarray:
    """x0 moved by one unit in the last place towards +inf on every component: ``nextafter(x0, +inf)``
    (:data:`PERTURBATION`). A component 0 becomes the smallest subnormal, 5e-324; a method that respects
    bounds projects a component nudged past its upper bound back onto it."""
    return np.nextafter(np.asarray(x0, dtype=float), np.inf)


# -------------------------------------------------------------------------------------------
# portable kernels: the same BLAS kernel and NumPy loops on every x86-64 machine with AVX2 and FMA

#: The OpenBLAS kernel every x86-64 CPU with AVX2 and FMA runs (Intel since Haswell, AMD since Zen).
PORTABLE_BLAS_KERNEL = "Haswell"
#: Set to 1 to keep the kernels the machine picks (the ``workbench`` command then pins nothing).
NATIVE_KERNELS_VARIABLE = "WORKBENCH_NATIVE_KERNELS"


def portable_kernels(environ: dict[str, str] | None = None, features: dict[str, bool] | None = None) -> dict[str, str]:
    """The environment variables that give this machine the portable kernels, for those not yet set in
    ``environ`` (default ``os.environ``): ``OPENBLAS_CORETYPE=Haswell`` and ``NPY_DISABLE_CPU_FEATURES``
    naming the AVX-512 extensions NumPy dispatches to here (``X86_V4``, ``AVX512_ICL``, ... in NumPy 2.4;
    ``AVX512F``, ``AVX512_SKX``, ... before). Empty when ``WORKBENCH_NATIVE_KERNELS`` is set,
    or the CPU lacks AVX2 or FMA (``features``: NumPy's ``__cpu_features__``, read when not given): such
    machines keep their own kernels. Both variables act when NumPy and SciPy load their libraries, so they
    must be set before (the ``workbench`` command re-executes itself with them: :func:`workbench.cli.entry`)."""
    environ = os.environ if environ is None else environ
    if environ.get(NATIVE_KERNELS_VARIABLE, "") not in ("", "0"):
        return {}
    if features is None:
        features = _numpy_features()
    if not (features.get("AVX2") and features.get("FMA3")):
        return {}
    pinned = {}
    if "OPENBLAS_CORETYPE" not in environ:
        pinned["OPENBLAS_CORETYPE"] = PORTABLE_BLAS_KERNEL
    wide = sorted(name for name, present in features.items()
                  if present and (name.startswith("AVX512") or name == "X86_V4"))  # fmt: skip
    if wide and "NPY_DISABLE_CPU_FEATURES" not in environ and "NPY_ENABLE_CPU_FEATURES" not in environ:
        pinned["NPY_DISABLE_CPU_FEATURES"] = " ".join(wide)
    return pinned


def _numpy_features() -> dict[str, bool]:
    """NumPy's CPU features that it dispatches on ({name: present})."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    dispatch = set(getattr(umath, "__cpu_dispatch__", []))
    features = getattr(umath, "__cpu_features__", {})
    return {name: bool(present) for name, present in features.items() if name in dispatch or name in ("AVX2", "FMA3")}


# -------------------------------------------------------------------------------------------
# BLAS threads

_controller: list[Any] = []  # [ThreadpoolController, len(sys.modules) when it was built]


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """One thread in every BLAS / OpenMP library loaded in this process inside the block (restored after).

    The ``threadpoolctl`` controller is built once (it scans the loaded libraries, about 1 ms) and again
    when modules have been imported since, which may have loaded another library; entering and leaving
    then costs about 0.1 ms."""
    from threadpoolctl import ThreadpoolController

    if not _controller or _controller[1] != len(sys.modules):
        _controller[:] = [ThreadpoolController(), len(sys.modules)]
    with _controller[0].limit(limits=1):
        yield


# -------------------------------------------------------------------------------------------
# the C library's rand(): who called it


def _libc() -> Any:
    """The C library through ctypes, or None where it cannot be loaded (the watch then reports nothing)."""
    for name in (ctypes.util.find_library("c"), None):
        try:
            library = ctypes.CDLL(name)
            library.rand.restype = ctypes.c_int
            library.srand.argtypes = [ctypes.c_uint]
            return library
        except (OSError, AttributeError, TypeError):
            continue
    return None


_LIBC: list[Any] = []


class RandWatch:
    """Whether native code called the C library's ``rand()`` or ``srand()`` inside a ``with`` block.

    On entry the C generator is seeded with a fixed value and its first number noted, then reseeded; on
    exit ``used`` is True when the next number is not that one, i.e. something drew from or reseeded the
    generator meanwhile (None when the C library is not reachable). The workbench's own code and NumPy
    never call it; SciPy's trlib does (module docstring)."""

    SEED = 20240612

    def __init__(self) -> None:
        if not _LIBC:
            _LIBC.append(_libc())
        self.libc = _LIBC[0]
        self.used: bool | None = None
        self._expected = 0

    def __enter__(self) -> RandWatch:
        if self.libc is not None:
            self.libc.srand(self.SEED)
            self._expected = self.libc.rand()
            self.libc.srand(self.SEED)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.libc is not None:
            self.used = self.libc.rand() != self._expected


# -------------------------------------------------------------------------------------------
# what decides the rest: recorded with every study


def _cpu() -> dict[str, Any]:
    """Model, vendor, family/model/stepping and the feature flags (Linux: /proc/cpuinfo)."""
    facts: dict[str, Any] = {"processor": platform.processor() or platform.machine()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            text = handle.read().split("\n\n", 1)[0]
    except OSError:
        return facts
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    for key, name in (("model name", "model"), ("vendor_id", "vendor"), ("cpu family", "family"),
                      ("model", "model_number"), ("stepping", "stepping")):  # fmt: skip
        if key in fields:
            facts[name] = fields[key]
    flags = sorted(set(fields.get("flags", fields.get("Features", "")).split()))
    facts["flags"] = " ".join(flags)
    return facts


def _blas() -> list[dict[str, Any]]:
    """Every BLAS / OpenMP library loaded, as threadpoolctl sees it: library, version, internal API, the
    kernel it chose (``architecture``) and its thread count outside runs (runs use one)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a dependency
        return []
    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "threading_layer", "num_threads")
    found = [{key: info.get(key) for key in keep} | {"file": os.path.basename(info.get("filepath", ""))}
             for info in threadpool_info()]  # fmt: skip
    return sorted(found, key=lambda info: info["file"])


def _build(module: Any) -> dict[str, Any]:
    """The BLAS and LAPACK a package was built against (its ``show_config``)."""
    try:
        config = module.show_config(mode="dicts")
    except Exception:  # pragma: no cover - older releases print only
        return {}
    dependencies = config.get("Build Dependencies", {})
    return {name: {key: dependencies[name].get(key) for key in ("name", "version", "openblas configuration")
                   if dependencies[name].get(key) is not None}
            for name in ("blas", "lapack") if name in dependencies}  # fmt: skip


def _numpy_simd() -> dict[str, Any]:
    """NumPy's baseline SIMD and the dispatched extensions this CPU enables (they pick its ufunc loops)."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    features = getattr(umath, "__cpu_features__", {})
    dispatch = getattr(umath, "__cpu_dispatch__", [])
    return {"baseline": list(getattr(umath, "__cpu_baseline__", [])),
            "dispatched": [name for name in dispatch if features.get(name)]}  # fmt: skip


def _digest(*arrays: Any) -> str:
    hasher = hashlib.sha256()
    for array in arrays:
        hasher.update(np.ascontiguousarray(np.asarray(array, dtype=float)).tobytes())
    return hasher.hexdigest()[:12]


def kernel_fingerprints() -> dict[str, str]:
    """Short hashes of the bits each numerical layer gives on fixed inputs: two machines (or settings)
    whose fingerprints agree compute these kernels identically; where they differ, the layer named is
    where results part. Layers: ``blas`` (NumPy's and SciPy's BLAS and LAPACK: dot products,
    matrix-vector and matrix products, solves, Cholesky, symmetric eigenvalues), ``numpy_simd`` (NumPy's
    transcendental ufuncs), ``libm`` (the C library's exp, log, sin, cos, atan, pow through Python's
    math module), ``llvm`` (symengine's LLVM code, arithmetic only) and ``llvm_libm`` (its code calling
    libm's exp, sin, log, cos, atan)."""
    import math

    rng = np.random.default_rng(12)
    a, b = rng.standard_normal(37), rng.standard_normal(37)
    m, v = rng.standard_normal((13, 17)), rng.standard_normal(17)
    s = rng.standard_normal((9, 9))
    spd = s @ s.T + 9 * np.eye(9)
    rhs = rng.standard_normal(9)
    values = rng.uniform(-20.0, 20.0, 4096)
    facts = {}
    with single_blas_thread():
        import scipy.linalg

        facts["blas"] = _digest(a @ b, m @ v, m @ m.T, np.linalg.solve(spd + s, rhs), np.linalg.cholesky(spd),
                                np.linalg.eigvalsh(spd), scipy.linalg.solve(spd + s, rhs),
                                scipy.linalg.cho_factor(spd)[0], scipy.linalg.eigh(spd)[0])  # fmt: skip
    facts["numpy_simd"] = _digest(np.exp(values), np.log(np.abs(values)), np.sin(values), np.cos(values),
                                  np.tan(values), np.arctan(values), np.power(np.abs(values), 1.37),
                                  np.expm1(values / 20), np.log1p(np.abs(values)))  # fmt: skip
    facts["libm"] = _digest([math.exp(x) for x in values], [math.log(abs(x)) for x in values],
                            [math.sin(x) for x in values], [math.cos(x) for x in values],
                            [math.atan(x) for x in values], [math.pow(abs(x), 1.37) for x in values])  # fmt: skip
    facts["llvm"], facts["llvm_libm"] = _llvm_fingerprints(values)
    return facts


def _llvm_fingerprints(values: np.ndarray) -> tuple[str, str]:
    """symengine's LLVM code on fixed inputs: arithmetic only (host-independent, module docstring), and
    with calls of libm's exp, sin, log, cos and atan."""
    try:
        import symengine as se
    except ImportError:  # pragma: no cover - a dependency
        return "no symengine", "no symengine"
    if not getattr(se, "have_llvm", False):
        return "no LLVM", "no LLVM"
    x, y, z = se.symbols("x y z")
    arithmetic = [x * y + z, (x - y) * (x + z) / (1 + z * z) + x * y * z, x**3 - 3 * x * y**2 + z / 7]
    calls = [se.exp(x / 10) * y + se.sin(x) * z, se.log(1 + x * x) - se.cos(y) * se.atan(z)]
    points = values[: 3 * (values.size // 3)].reshape(-1, 3)
    return tuple(_digest(se.Lambdify([x, y, z], expressions, backend="llvm", cse=True, opt_level=2)(points))
                 for expressions in (arithmetic, calls))  # fmt: skip


def platform_facts() -> dict[str, Any]:
    """What decides the last bits of a run on this machine (module docstring), recorded with each study:
    ``cpu`` (model, vendor, flags), ``blas`` (each loaded library and the kernel it chose, threadpoolctl),
    ``blas_build`` (what NumPy and SciPy were built against), ``numpy_simd`` (the dispatched SIMD
    extensions), ``libc`` (the C library and its version), ``llvm`` (symengine's JIT: generic CPU, no
    fast-math), ``variables`` (the environment variables that choose kernels or threads, when set),
    ``threads_per_run`` (BLAS threads inside a run) and ``fingerprints`` (:func:`kernel_fingerprints`)."""
    import scipy

    fingerprints = kernel_fingerprints()  # first: it loads SciPy's BLAS, which _blas() then lists
    libc, version = platform.libc_ver()
    try:
        import symengine

        llvm = {"available": bool(getattr(symengine, "have_llvm", False)),
                "target": "the generic CPU of the target triple (symengine sets no host CPU or features)",
                "fast_math": False}  # fmt: skip
    except ImportError:  # pragma: no cover - a dependency
        llvm = {"available": False}
    return {
        "cpu": _cpu(),
        "blas": _blas(),
        "blas_build": {"numpy": _build(np), "scipy": _build(scipy)},
        "numpy_simd": _numpy_simd(),
        "libc": f"{libc} {version}".strip(),
        "llvm": llvm,
        "variables": {name: os.environ[name] for name in DECIDING_VARIABLES if name in os.environ},
        "threads_per_run": 1,
        "fingerprints": fingerprints,
    }
