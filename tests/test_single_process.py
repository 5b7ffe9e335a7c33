"""The SQLite lock file (bridge/serving/single_process.py): who holds it is named; a holder that is
already gone (a killed `bridge serve` whose HTTP process is still stopping) is waited for."""

import fcntl
import os
import threading
import time

import pytest

from bridge.serving.single_process import CannotClaimDatabase, claim_sqlite_database

NO_SUCH_PID = 2 ** 22 + 1  # above Linux's largest pid


def hold(path, recorded_pid: int):
    holder = open(path, "w")  # noqa: SIM115 - returned open: the lock lasts while the file does
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    holder.write(f"{recorded_pid}\n")
    holder.flush()
    return holder


def test_a_live_holder_is_named(tmp_path):
    holder = hold(tmp_path / "bridge.db.lock", os.getpid())
    started = time.monotonic()
    with pytest.raises(CannotClaimDatabase, match=f"in use by bridge process {os.getpid()} "):
        claim_sqlite_database(f"sqlite:///{tmp_path / 'bridge.db'}")
    assert time.monotonic() - started < 1  # refused at once
    holder.close()


def test_a_holder_whose_process_has_exited_is_waited_for(tmp_path):
    holder = hold(tmp_path / "bridge.db.lock", NO_SUCH_PID)
    threading.Timer(0.5, holder.close).start()  # its leftover child ends
    claim = claim_sqlite_database(f"sqlite:///{tmp_path / 'bridge.db'}")
    assert (tmp_path / "bridge.db.lock").read_text() == f"{os.getpid()}\n"
    claim.close()
    claim_sqlite_database(f"sqlite:///{tmp_path / 'bridge.db'}").close()  # released with the file


def test_postgresql_and_in_memory_databases_take_no_lock(tmp_path):
    assert claim_sqlite_database("postgresql://postgres@127.0.0.1:5432/test") is None
    assert claim_sqlite_database("sqlite:///:memory:") is None
    assert claim_sqlite_database("sqlite://") is None
