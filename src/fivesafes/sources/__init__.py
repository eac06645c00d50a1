"""Source contracts, ingest, validation, quarantine and the identifier/attribute split."""
