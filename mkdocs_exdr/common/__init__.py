"""Shared basics: located problems, durations and slugs."""
