"""``--fix`` and ``--diff``: edits at exact spans, applied and checked."""
