"""What Porchlight learnt from the platforms: inbound events already handled (so a replay is
harmless) and members it could not reach privately (closed DMs)."""

STATEMENTS = (
    """
    CREATE TABLE inbound_events (
        platform TEXT NOT NULL,
        event_id TEXT NOT NULL,
        handled_at TEXT NOT NULL,
        PRIMARY KEY (platform, event_id)
    )
    """,
    "CREATE INDEX inbound_events_handled ON inbound_events (handled_at)",
    """
    CREATE TABLE unreachable_members (
        user TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        since TEXT NOT NULL
    )
    """,
)
