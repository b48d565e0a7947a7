"""Journey definitions: YAML loading, the JSON Schema, the model and the semantic rules."""
