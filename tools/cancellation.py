"""Stopping work that outlives its caller: a scope that collects how to interrupt what runs inside it.

The tool registry runs each call inside a `CancelScope`; code that starts interruptible work (a DuckDB
query) registers how to interrupt it with `on_cancel`. When the call runs past its time limit, the scope
interrupts that work and raises `Cancelled` in the call's thread, so a hung tool stops instead of holding
its thread. Outside a scope, `on_cancel` does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger(__name__)
_current: ContextVar[CancelScope | None] = ContextVar("cancel_scope", default=None)


class Cancelled(BaseException):
    """Raised inside work that was cancelled (a BaseException, so `except Exception` in engines lets it
    pass)."""


class CancelScope:
    """The interrupts registered by the work of one call, and the thread that runs it."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], object]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.cancelled = False

    @contextmanager
    def active(self) -> Iterator[CancelScope]:
        """Make this the scope of the current thread's work while the block runs."""
        self._thread = threading.current_thread()
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)
            with self._lock:
                self._callbacks.clear()
                self._thread = None

    def add(self, callback: Callable[[], object]) -> None:
        """Call `callback` if the scope is cancelled (e.g. a connection's `interrupt`)."""
        with self._lock:
            if self.cancelled:
                callback()
            else:
                self._callbacks.append(callback)

    def cancel(self) -> None:
        """Interrupt the registered work and raise `Cancelled` in the scope's thread at its next Python
        step."""
        with self._lock:
            self.cancelled = True
            callbacks, self._callbacks = self._callbacks, []
            thread = self._thread
        for callback in callbacks:
            try:
                callback()
            except Exception:  # an interrupt that fails (connection already closed) has nothing left to stop
                log.debug("a cancel callback failed", exc_info=True)
        if thread is not None and thread.ident is not None and thread is not threading.current_thread():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                       ctypes.py_object(Cancelled))


def on_cancel(callback: Callable[[], object]) -> None:
    """Register how to interrupt work just started, with the current scope if there is one."""
    scope = _current.get()
    if scope is not None:
        scope.add(callback)
