"""Checks: one lead (lead), one address (address), many leads at once (batches), re-checks (rechecks)."""
