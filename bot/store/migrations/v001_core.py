"""Members, the outbox of outgoing messages, and the audit log."""

STATEMENTS = (
    """
    CREATE TABLE members (
        user TEXT PRIMARY KEY,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        pending_action TEXT,
        pending_until TEXT
    )
    """,
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        target TEXT NOT NULL,
        subject TEXT,
        kind TEXT NOT NULL,
        priority INTEGER NOT NULL,
        payload TEXT NOT NULL,
        dedup_key TEXT UNIQUE,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        platform_message_id TEXT,
        last_error TEXT,
        forget_on_delivery INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX outbox_due ON outbox (platform, status, priority, next_attempt_at)",
    "CREATE INDEX outbox_target ON outbox (target)",
    "CREATE INDEX outbox_subject ON outbox (subject)",
    "CREATE INDEX outbox_platform_message ON outbox (platform, platform_message_id)",
    """
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        ref TEXT
    )
    """,
    "CREATE INDEX audit_log_actor ON audit_log (actor)",
    "CREATE INDEX audit_log_subject ON audit_log (subject)",
)
