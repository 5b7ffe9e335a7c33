"""A forked child process that ends when its parent does, however the parent ended (even SIGKILL).

`bridge serve` runs the app in a process granian forks and the worker in one it forks itself.
Without this, a `kill -9` of `bridge serve` left them serving /healthz and running the worker and
the scheduler, and a restart put a second set beside them on the same database."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

from bridge.logs import log_event

log = logging.getLogger("bridge.serve")

# After the parent is gone the child gets SIGTERM (a clean stop: leases handed back, usually within
# milliseconds) and SIGKILL if it is still there this long after.
STOP_GRACE_SECONDS = 2.0
_POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def end_with_parent(parent_pid: int) -> None:
    """Call first thing in the child. The kernel sends SIGTERM when the parent dies (Linux); a
    watcher thread also catches a parent that died before this ran, and other systems."""
    _ask_kernel_for_signal_on_parent_death(signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="bridge-parent-watch",
                     daemon=True).start()


def _ask_kernel_for_signal_on_parent_death(signum: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        log_event(log, logging.WARNING, "serve.parent_death_signal_unavailable", errno=ctypes.get_errno())


def _watch_parent(parent_pid: int) -> None:
    # A child whose parent has died is handed to another process (init or a subreaper).
    while os.getppid() == parent_pid:
        time.sleep(_POLL_SECONDS)
    log_event(log, logging.WARNING, "serve.parent_gone", parent_pid=parent_pid)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(STOP_GRACE_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)
