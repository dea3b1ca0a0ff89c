"""Values as documents write them, read the way the cost needs them.

Counts (whole numbers of zero or more: ``2``, ``2.0`` or ``"2"``; not booleans,
negatives, NaN or infinities), strings that state
something (not empty, not an unrendered placeholder), AWS region names, and
the region an ARN names.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from gpulint.model.core import is_placeholder

_REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+$")
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):")


def as_count(value: Any) -> Optional[int]:
    """A whole number of zero or more, or None (a negative count is no count: it would lower a total)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():  # False for NaN and the infinities
        return int(value) if value >= 0 else None
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 18:  # only ASCII digits are counts
        return int(text)
    return None


def invalid_count(value: Any) -> bool:
    """Whether a count is written (not absent) but is not one gpulint can use: negative, fractional,
    not finite, a placeholder. A cost that rests on it is unknown, never the default's."""
    return value is not None and as_count(value) is None


def stated(value: Any) -> Optional[str]:
    """A string that says something: not empty, not a placeholder."""
    return value if isinstance(value, str) and value and not is_placeholder(value) else None


def is_region(value: str) -> bool:
    """Whether ``value`` looks like an AWS region name (``PLACEHOLDER_AWS_REGION`` does not)."""
    return bool(_REGION.match(value))


def arn_region(data: Any) -> Optional[str]:
    """The region of an ARN among the top-level values of a mapping."""
    if not isinstance(data, dict):
        return None
    for value in data.values():
        if isinstance(value, str):
            m = _ARN_REGION.match(value)
            if m:
                return m.group(1)
    return None
