"""SP-API operation catalog and the typed shapes of Amazon's requests and responses."""
