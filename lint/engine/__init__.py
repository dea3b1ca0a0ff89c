"""The engine: config, project, rules, suppressions and diagnostics for one run."""
