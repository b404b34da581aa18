"""An offer the volunteer accepted also lapses if the member never confirms: the expiry index
covers accepted offers too."""

STATEMENTS = (
    "DROP INDEX witness_offers_expiry",
    "CREATE INDEX witness_offers_expiry ON witness_offers (expires_at)"
    " WHERE status IN ('pending', 'accepted')",
)
