"""Record linkage: identifier standardisation, then probabilistic linkage across sources."""
