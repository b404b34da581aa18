"""Storage: the SQLite connection, migrations, and the outbox."""
