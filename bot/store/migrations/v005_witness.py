"""Witness pairing: volunteers, requests, offers, pairings, who is never matched again, and
what a member chose to share with their witness."""

STATEMENTS = (
    """
    CREATE TABLE witness_volunteers (
        user TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
        capacity INTEGER NOT NULL,
        cohort TEXT,
        languages TEXT NOT NULL,
        zone TEXT,
        last_paired_at TEXT,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX witness_volunteers_platform ON witness_volunteers (platform, status)",
    """
    CREATE TABLE witness_requests (
        id INTEGER PRIMARY KEY,
        member TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('searching', 'waiting', 'confirming', 'paired', 'cancelled')),
        cohort TEXT,
        languages TEXT NOT NULL,
        zone TEXT,
        told_waiting INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE UNIQUE INDEX witness_requests_one_open ON witness_requests (member)"
    " WHERE status IN ('searching', 'waiting', 'confirming')",
    """
    CREATE TABLE witness_offers (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES witness_requests (id) ON DELETE CASCADE,
        volunteer TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'expired',
                                              'withdrawn', 'not_chosen', 'confirmed')),
        offered_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        answered_at TEXT,
        UNIQUE (request_id, volunteer)
    )
    """,
    "CREATE INDEX witness_offers_volunteer ON witness_offers (volunteer, status)",
    "CREATE INDEX witness_offers_expiry ON witness_offers (expires_at) WHERE status = 'pending'",
    """
    CREATE TABLE witness_pairs (
        id INTEGER PRIMARY KEY,
        member TEXT NOT NULL,
        witness TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
        started_at TEXT NOT NULL,
        ended_at TEXT
    )
    """,
    "CREATE INDEX witness_pairs_member ON witness_pairs (member, status)",
    "CREATE INDEX witness_pairs_witness ON witness_pairs (witness, status)",
    """
    CREATE TABLE witness_exclusions (
        by_user TEXT NOT NULL,
        other TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('declined', 'ended', 'blocked')),
        at TEXT NOT NULL,
        PRIMARY KEY (by_user, other)
    )
    """,
    "CREATE INDEX witness_exclusions_other ON witness_exclusions (other)",
    """
    CREATE TABLE witness_sharing (
        member TEXT PRIMARY KEY,
        mood TEXT NOT NULL DEFAULT 'off' CHECK (mood IN ('off', 'daily', 'weekly')),
        nudge_after INTEGER,
        moderators INTEGER NOT NULL DEFAULT 0,
        last_shared_at TEXT,
        last_nudged_at TEXT,
        updated_at TEXT NOT NULL
    )
    """,
)
