"""The replay engine: conditions, per-customer replay and placement. Pure functions, no I/O."""
