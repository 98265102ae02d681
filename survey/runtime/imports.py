"""Imports ahead of their first use, and the garbage collector kept off what stays loaded.

A run spends seconds importing libraries (pandas, great-expectations, scipy, the report
writers). The runtime imports them while something else is waited for (:func:`preload`,
:func:`import_in_background`), and freezes what a process keeps for its whole life out of the
garbage collector (:func:`frozen_at_exit`): each full collection would walk all of it again.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import threading
import warnings
from collections.abc import Iterable, Iterator

__all__ = ["frozen_at_exit", "import_in_background", "preload"]


def preload(modules: Iterable[str]) -> None:
    """Import modules now (while waiting on something else) rather than when first used.

    A module that cannot be imported is left for its first use to report. What was imported
    stays for the life of the process, so it is then frozen out of the garbage collector
    (``gc.freeze``): each later full collection would walk all of it again, about 0.1 s each
    with great-expectations loaded."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in modules:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
    gc.freeze()


def import_in_background(modules: Iterable[str], *, name: str) -> threading.Thread:
    """Import ``modules`` on a daemon thread (named ``name``), started now: for a process that
    will need them soon but has something to show first.

    >>> import_in_background(["colorsys"], name="warm-up").join()
    """
    chosen = tuple(modules)

    def load() -> None:
        for module in chosen:
            with contextlib.suppress(ImportError):
                importlib.import_module(module)

    thread = threading.Thread(target=load, name=name, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def frozen_at_exit() -> Iterator[None]:
    """Freeze every object out of the garbage collector when the block ends, however it ends:
    the interpreter's last collections at exit would otherwise walk every object of pandas,
    great-expectations and the rest, about 0.3 s of a run's wall time for nothing."""
    try:
        yield
    finally:
        gc.freeze()
