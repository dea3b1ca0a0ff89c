#!/usr/bin/env python3
"""Regenerate every file derived from the rules, after adding or changing one.

    python scripts/regen.py            # the README's rule and fix tables, and schemas/
    python scripts/regen.py --check    # exit 1 when any of them is out of date

A rule's code, name, severity, summary, fix summary and options appear in the
README tables (scripts/gen_readme.py) and in schemas/config.schema.json
(scripts/gen_schemas.py); this runs both, so adding a rule is: its module under
rules/<domain>/, its fixture folder under tests/fixtures/rules/<rule-name>/, then
this command.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from types import ModuleType
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATORS = ("gen_readme", "gen_schemas")


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    status = 0
    for name in GENERATORS:
        status |= _script(name).main(["--check"] if args.check else [])
    return status


if __name__ == "__main__":
    sys.exit(main())
