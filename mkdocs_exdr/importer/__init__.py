"""Import: Exchange Management Shell exports into inventory YAML, keeping what people wrote."""
