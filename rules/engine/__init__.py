"""Rules the engine reports itself, about files rather than configuration: parse
errors, schema violations, its own failures and unused suppressions."""
