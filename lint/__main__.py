from __future__ import annotations

from gpulint.cli import entry

entry()
