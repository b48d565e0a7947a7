"""Event input: timestamp parsing and CSV ingestion."""
