"""Worker processes started cleanly: the one place that picks the process start method.

``forkserver`` where available (workers fork from a server that has already imported the modules
named in ``preload``, so they start in milliseconds), else ``spawn``. Both start from a clean
interpreter state, never a copy of this process's threads. Studies (:mod:`workbench.parallel`), the
derivative checks and the renderers of the report and the lesson all take their workers from here.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.context import BaseContext

__all__ = ["process_context"]


def process_context(preload: Sequence[str] = ()) -> BaseContext:
    """The multiprocessing context for worker processes (module docstring)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        if preload:
            context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")
