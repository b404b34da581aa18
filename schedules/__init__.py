"""Timed work: the APScheduler wrapper and the job functions it runs."""
