"""The common model: shapes, recognisers and the typed objects rules read, by domain."""
