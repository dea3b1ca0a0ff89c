"""The README's rule table lists exactly the registered rules, with their metadata."""

from __future__ import annotations

import os
import re

from gpulint.engine.rule import all_rules

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def test_readme_rule_table_matches_the_registry() -> None:
    text = open(README, encoding="utf-8").read()
    rows = re.findall(r"^\| `([A-Z]+\d+)` \| `([a-z0-9-]+)` \| (\w+) \| (\S+) \| (.+) \|$", text, re.MULTILINE)
    documented = {code: (name, sev, fix, summary) for code, name, sev, fix, summary in rows}
    registered = {
        r.code: (r.name, r.severity.label, r.fix.value if r.fix.value != "none" else "—", r.summary)
        for r in all_rules()
    }
    assert documented == registered
