"""A second process beside a run, so that a run of one wave uses both cores.

A :class:`Sidecar` is a spawned process that imports what it is told at once (while the run
imports its own), then answers calls: a module-level function and its keyword arguments go
there pickled, and its value (or exception) comes back. It knows nothing of the survey:
:mod:`survey.runtime.steps` decides what it imports and runs.

Calls are one at a time (:meth:`Sidecar.call` sends, :meth:`Pending.result` waits; a call
whose reply was never asked for is settled before the next one is sent). A sidecar
that has died (killed, out of memory) is not an error: the call runs in this process instead,
with the same result. ``close()`` terminates the process rather than waiting for it to exit,
so a failed run reports its error at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable, Iterable
from typing import Any

from survey.runtime.imports import preload

__all__ = ["Pending", "Sidecar"]


def _serve(connection: Any, modules: tuple[str, ...], later: tuple[str, ...]) -> None:
    """The sidecar's loop: import ``modules``, then answer calls until told to stop, importing
    ``later`` after the first."""
    with contextlib.suppress(Exception):  # a call meets the same error, and reports it
        preload(modules)
    with contextlib.suppress(ImportError):
        # tqdm (great-expectations' progress bars, even switched off) would create a
        # multiprocessing lock, a semaphore the run's resource tracker reports as leaked when
        # the finished sidecar is terminated; a thread lock does here
        import tqdm

        tqdm.tqdm.set_lock(threading.RLock())
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        function, kwargs = request
        try:
            reply = (True, function(**kwargs))
        except BaseException as error:
            reply = (False, error)
        try:
            connection.send(reply)
        except Exception as error:
            connection.send((False, RuntimeError(f"sidecar: {error}")))
        with contextlib.suppress(Exception):
            preload(later)
            later = ()


class Pending:
    """A call the sidecar is working on."""

    def __init__(
        self,
        sidecar: Sidecar,
        function: Callable[..., Any],
        kwargs: dict[str, Any],
        sending: threading.Thread | None,
    ) -> None:
        self.sidecar, self.function, self.kwargs = sidecar, function, kwargs
        self.sending = sending
        self._outcome: tuple[bool, Any] | None = None

    def result(self) -> Any:
        """The call's value (or its exception, raised here)."""
        self._settle()
        assert self._outcome is not None
        ok, value = self._outcome
        if ok:
            return value
        raise value

    def _settle(self, *, here: bool = True) -> None:
        """Take the sidecar's reply (once); without ``here``, a dead sidecar's call is not run
        in this process (a reply nobody will ask for)."""
        if self._outcome is not None:
            return
        if self.sending is not None:
            self.sending.join()
        try:
            self._outcome = (True, self.sidecar._receive(self.function, self.kwargs, here=here))
        except BaseException as error:
            self._outcome = (False, error)


class Sidecar:
    """A spawned process that imports ``modules`` at once and then runs calls (importing
    ``later`` after the first).

    Examples
    --------
    >>> sidecar = Sidecar()
    >>> sidecar.call(dict, wave="2024").result()
    {'wave': '2024'}
    >>> sidecar.close()
    """

    def __init__(self, modules: Iterable[str] = (), later: Iterable[str] = ()) -> None:
        # spawn, not fork: the run may hold a progress thread's lock when it forks
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(theirs, tuple(modules), tuple(later)),
            name="survey-sidecar",
            daemon=True,
        )
        self._process.start()
        theirs.close()
        self._alive = True
        self._last: Pending | None = None

    def call(self, function: Callable[..., Any], /, **kwargs: Any) -> Pending:
        """Start ``function(**kwargs)`` in the sidecar (a module-level function; its arguments
        and result are pickled). The arguments are sent by a thread: the sidecar reads them
        only when its imports are done, and this process has other work meanwhile."""
        if self._last is not None:
            # a reply left unread (its caller failed after the call) would answer this call
            self._last._settle(here=False)
        sending = None
        if self._alive:
            sending = threading.Thread(target=self._send, args=((function, kwargs),), daemon=True)
            sending.start()
        self._last = Pending(self, function, kwargs, sending)
        return self._last

    def _send(self, request: tuple[Callable[..., Any], dict[str, Any]]) -> None:
        try:
            self._connection.send(request)
        except (OSError, ValueError):
            self._alive = False

    def _receive(
        self, function: Callable[..., Any], kwargs: dict[str, Any], *, here: bool = True
    ) -> Any:
        if self._alive:
            try:
                ok, value = self._connection.recv()
            except (EOFError, OSError):
                self._alive = False  # it died: do the work here
            else:
                if ok:
                    return value
                raise value
        return function(**kwargs) if here else None

    def close(self, *, wait: bool = True) -> None:
        """Stop the process. Its results are all in by then (or the run failed and needs none),
        so it is terminated rather than waited for: a Python process with great-expectations
        loaded takes half a second to exit. With ``wait`` it is asked to stop first."""
        if wait and self._alive:
            with contextlib.suppress(OSError, ValueError):
                self._connection.send(None)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._connection.close()
        self._alive = False
