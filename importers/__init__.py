"""Statement importers, one module per source type."""
