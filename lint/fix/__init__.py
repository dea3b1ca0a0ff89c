"""``--fix`` and ``--diff``: edits at exact spans, applied and checked.

:mod:`~gpulint.fix.run` drives a run (lint, fix, lint again, write);
:mod:`~gpulint.fix.apply` fixes one text and :mod:`~gpulint.fix.verify` checks
the result; :mod:`~gpulint.fix.yaml_edit` (with :mod:`~gpulint.fix.yaml_insert`,
:mod:`~gpulint.fix.yaml_layout` and :mod:`~gpulint.fix.yaml_render`) and
:mod:`~gpulint.fix.json_edit` make the edits, sharing :mod:`~gpulint.fix.edits`;
:mod:`~gpulint.fix.write` writes files atomically and :mod:`~gpulint.fix.diff`
renders ``--diff``.
"""
