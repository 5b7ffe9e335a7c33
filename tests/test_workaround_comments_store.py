"""Each Jira comment carrying a workaround is applied once, on SQLite and PostgreSQL alike: the
store says whether this is its first reading (an edit of it is a new one)."""

from datetime import UTC, datetime

from bridge.config.settings import DatabaseSettings
from bridge.storage.db import create_database_engine
from bridge.storage.migrate import upgrade
from bridge.storage.problems import ProblemStore
from bridge.storage.workarounds import WorkaroundStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_comment_is_read_first_once_and_an_edit_of_it_is_new(database_url):
    engine = create_database_engine(database_url, DatabaseSettings(url=database_url))
    try:
        upgrade(engine)
        store = WorkaroundStore(engine)
        with engine.begin() as connection:
            problem = ProblemStore(engine).active_for_update(connection, "rule", "", "engineering", NOW, state="open")
            first = store.first_reading(connection, "10500", "2026-03-02T09:00:00+00:00", problem.id, NOW)
            again = store.first_reading(connection, "10500", "2026-03-02T09:00:00+00:00", problem.id, NOW)
            edited = store.first_reading(connection, "10500", "2026-03-02T09:05:00+00:00", problem.id, NOW)
        assert (first, again, edited) == (True, False, True)
    finally:
        engine.dispose()
