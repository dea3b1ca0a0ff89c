"""Placeholder: this language's reader is not written yet; its files load with no documents."""

from __future__ import annotations

import json
from typing import Any


def load(source: Any) -> None:
    source.documents = []


def render(value: Any) -> str:
    return json.dumps(value)
