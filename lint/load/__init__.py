"""Loading: files found by the walk, read with bounds, parsed into data with positions."""
