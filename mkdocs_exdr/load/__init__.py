"""Stage 1, load: YAML files read safely with the place of every value, and the typed reader."""
