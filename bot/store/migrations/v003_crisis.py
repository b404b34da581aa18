"""Crisis escalations, the member messages behind them, the page send log, and on-call
moderators."""

STATEMENTS = (
    """
    CREATE TABLE escalations (
        id INTEGER PRIMARY KEY,
        member TEXT NOT NULL,
        platform TEXT NOT NULL,
        tier TEXT NOT NULL CHECK (tier IN ('crisis', 'concern')),
        status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'resolved')),
        dedup_key TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        categories TEXT NOT NULL,
        link TEXT,
        policy TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        cycle INTEGER NOT NULL DEFAULT 0,
        cycle_started_at TEXT NOT NULL,
        level INTEGER NOT NULL DEFAULT -1,
        next_page_at TEXT,
        claimed_by TEXT,
        claimed_at TEXT,
        first_claimed_at TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        outcome TEXT,
        resolution_note TEXT,
        forget_on_resolve INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX escalations_member ON escalations (member, status)",
    "CREATE INDEX escalations_next_page ON escalations (next_page_at)"
    " WHERE next_page_at IS NOT NULL",
    "CREATE INDEX escalations_opened ON escalations (opened_at)",
    """
    CREATE TABLE escalation_messages (
        id INTEGER PRIMARY KEY,
        escalation_id INTEGER NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
        message_key TEXT NOT NULL UNIQUE,
        tier TEXT NOT NULL,
        text TEXT,
        received_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX escalation_messages_escalation ON escalation_messages (escalation_id)",
    """
    CREATE TABLE escalation_pages (
        escalation_id INTEGER NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
        cycle INTEGER NOT NULL,
        level INTEGER NOT NULL,
        target TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        delivered_at TEXT,
        failed_at TEXT,
        PRIMARY KEY (escalation_id, cycle, level, target)
    )
    """,
    """
    CREATE TABLE moderators_on_call (
        user TEXT PRIMARY KEY,
        since TEXT NOT NULL
    )
    """,
)
