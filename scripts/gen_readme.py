#!/usr/bin/env python3
"""Generate the README's rule table and fix table from the registered rules.

    python scripts/gen_readme.py            # rewrites the tables in README.md
    python scripts/gen_readme.py --check    # exit 1 when README.md differs

Each table sits between marker comments in README.md (``<!-- rules-table:start -->``
... ``<!-- rules-table:end -->``, the same for ``fixes-table``). The rule table
lists every rule (the engine's own first, then by code) with its code, name,
default severity, fix safety and summary; the fix table lists every rule with a
fix (safe ones first, then by code) with the rule's ``fix_summary``.
tests/test_readme_rules.py fails when README.md and the rules drift.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional

from gpulint.diagnostics import Applicability
from gpulint.engine.rule import Rule, all_rules

README = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md"))


def rules_table(rules: list[type[Rule]]) -> str:
    rows = ["| Code | Name | Severity | Fix | What it flags |", "|---|---|---|---|---|"]
    for r in sorted(rules, key=lambda r: (r.domain != "engine", r.code)):
        fix = r.fix.value if r.fix is not Applicability.NONE else "—"
        rows.append(f"| `{r.code}` | `{r.name}` | {r.severity.label} | {fix} | {r.summary} |")
    return "\n".join(rows)


def fixes_table(rules: list[type[Rule]]) -> str:
    rows = ["| Rule | Fix | Safety |", "|---|---|---|"]
    fixable = [r for r in rules if r.fix is not Applicability.NONE]
    for r in sorted(fixable, key=lambda r: (r.fix is not Applicability.SAFE, r.code)):
        if not r.fix_summary:
            raise ValueError(f"rule {r.name} has a fix but no fix_summary")
        rows.append(f"| `{r.name}` | {r.fix_summary} | {r.fix.value} |")
    return "\n".join(rows)


def tables() -> dict[str, str]:
    """Marker name -> the table generated for it."""
    rules = all_rules()
    return {"rules-table": rules_table(rules), "fixes-table": fixes_table(rules)}


def render(text: str) -> str:
    """``text`` (the README) with every generated table replaced by its current version."""
    for marker, table in tables().items():
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        head, found, rest = text.partition(start)
        _, found_end, tail = rest.partition(end)
        if not found or not found_end:
            raise ValueError(f"README.md lacks the markers {start} ... {end}")
        text = f"{head}{start}\n{table}\n{end}{tail}"
    return text


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with README.md, write nothing")
    parser.add_argument("--readme", default=README, help="the file to update (default: README.md)")
    args = parser.parse_args(argv)
    with open(args.readme, encoding="utf-8") as fh:
        current = fh.read()
    text = render(current)
    if text == current:
        return 0
    if args.check:
        print(f"out of date: the rule tables in {args.readme}; run python scripts/gen_readme.py", file=sys.stderr)
        return 1
    with open(args.readme, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
