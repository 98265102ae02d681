"""Library-sector learning-needs survey toolkit."""
