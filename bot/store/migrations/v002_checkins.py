"""Daily check-ins: each member's rhythm, one row per (member, local date), and their "why"."""

STATEMENTS = (
    """
    CREATE TABLE checkin_schedules (
        user TEXT PRIMARY KEY,
        local_time TEXT NOT NULL,
        zone TEXT NOT NULL,
        days TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('on', 'paused', 'off')),
        paused_until TEXT,
        next_due_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX checkin_schedules_due ON checkin_schedules (next_due_at)",
    """
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL,
        local_date TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('sent', 'answered', 'skipped', 'missed_by_us')),
        mood INTEGER CHECK (mood BETWEEN 1 AND 5),
        note TEXT,
        due_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        answered_at TEXT,
        note_open_until TEXT,
        UNIQUE (user, local_date)
    )
    """,
    "CREATE INDEX checkins_due ON checkins (due_at)",
    """
    CREATE TABLE checkin_whys (
        user TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        written_at TEXT NOT NULL
    )
    """,
)
