"""Stage 3, plan: pure functions from inventory and policies to the DR plan (no I/O, no MkDocs)."""
