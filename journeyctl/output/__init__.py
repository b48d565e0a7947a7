"""Renderers: turn result values into text, JSON, CSV, Markdown or rich tables. No computation."""
