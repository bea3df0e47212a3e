"""Stage 2, validate: inventory documents into the typed model, every problem located."""
