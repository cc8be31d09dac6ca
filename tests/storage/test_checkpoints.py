"""The write-ahead log is folded back into the file in the background, never inside a commit."""

from __future__ import annotations

import time
from pathlib import Path

from ctpn_desktop.storage import db
from ctpn_desktop.storage.checkpoints import IdleCheckpointer

from tests import factories

PAGE = 4096


def test_documents_never_checkpoint_inside_a_commit(tmp_path: Path) -> None:
    document = factories.library_document(tmp_path)
    try:
        with document.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL, as before
    finally:
        document.close()


def test_a_long_burst_grows_the_log_and_a_quiet_moment_folds_it_back(tmp_path: Path) -> None:
    path = tmp_path / "burst.sqlite"
    engine = db.make_engine(path)
    checkpointer = IdleCheckpointer(engine, path, idle_s=2.0, poll_s=0.05, large_log_bytes=1 << 40)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE entry (id INTEGER PRIMARY KEY, text TEXT)")
        for index in range(1500):  # more than SQLite's own 1,000-page checkpoint threshold
            with engine.begin() as connection:
                connection.exec_driver_sql("INSERT INTO entry (text) VALUES (?)", (f"{index} " + "x" * PAGE,))
            checkpointer.note_commit()
        assert checkpointer.checkpoints == 0
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 1000 * PAGE  # nobody folded the log back while the burst went on
        assert path.stat().st_size < 100 * PAGE
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.checkpoints >= 1
        assert path.stat().st_size > 1500 * PAGE  # the entries are in the file itself now
    finally:
        checkpointer.stop()
        engine.dispose()


def test_a_large_log_is_folded_back_even_while_writes_keep_coming(tmp_path: Path) -> None:
    path = tmp_path / "steady.sqlite"
    engine = db.make_engine(path)
    checkpointer = IdleCheckpointer(engine, path, idle_s=3600, poll_s=0.02, large_log_bytes=256 * 1024)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE entry (id INTEGER PRIMARY KEY, text TEXT)")
        deadline = time.monotonic() + 20
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            with engine.begin() as connection:
                connection.exec_driver_sql("INSERT INTO entry (text) VALUES (?)", ("x" * PAGE,))
            checkpointer.note_commit()
        assert checkpointer.checkpoints >= 1
    finally:
        checkpointer.stop()
        engine.dispose()
