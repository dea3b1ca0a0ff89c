"""gpulint: a policy linter and config validator for GPU and ML infrastructure on AWS."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
