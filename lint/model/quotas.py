"""Account quotas for SageMaker instance usage: from a file or the Service Quotas API.

A quotas file is YAML or JSON::

    quotas:
      ml.p4d.24xlarge for endpoint usage: 6
      ml.g5.12xlarge for training job usage: 4

using the names the Service Quotas console and API show. ``live`` reads them
from the Service Quotas API (service code ``sagemaker``) through boto3, with the
region and credentials from the usual AWS settings, short timeouts and a wall
clock (:mod:`gpulint.model.aws_client`): an API that fails or does not answer
in time is a :class:`QuotaError`, never a wait. boto3 is imported only here,
and only for ``live``.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Optional

LIVE = "live"

#: quota names gpulint reads; family names may contain '-' (ml.p6-b200.48xlarge)
QUOTA_NAME = re.compile(
    r"^(ml\.[a-z0-9-]+\.[a-z0-9]+) for (endpoint|training job|spot training job|transform job) usage$"
)


class QuotaError(Exception):
    """Quotas cannot be read; the message says why and what to do."""


def normalise_name(name: str) -> str:
    return " ".join(name.split()).lower()


def _validate(mapping: Any, where: str) -> dict[str, float]:
    if not isinstance(mapping, dict):
        raise QuotaError(f"{where}: expected a mapping 'quotas: {{\"<type> for endpoint usage\": N}}'")
    out: dict[str, float] = {}
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise QuotaError(f"{where}: quota names must be strings, found {key!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise QuotaError(f"{where}: quota '{key}' must be a non-negative number, found {value!r}")
        out[normalise_name(key)] = float(value)
    return out


def from_file(path: str) -> dict[str, float]:
    import json

    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise QuotaError(f"cannot read quotas file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise QuotaError(f"quotas file {path} is not valid {'JSON' if path.endswith('.json') else 'YAML'}: {exc}") from None
    if not isinstance(data, dict) or "quotas" not in data:
        raise QuotaError(f"quotas file {path}: expected a top-level 'quotas:' mapping")
    return _validate(data["quotas"], path)


def _default_client() -> Any:
    from gpulint.model.aws_client import make_client

    return make_client("service-quotas")


#: how the live path makes its client (tests swap in a stubbed one)
make_client: Callable[[], Any] = _default_client


def _list_quotas(client: Optional[Any]) -> dict[str, float]:
    import math

    client = client or make_client()
    out: dict[str, float] = {}
    for page in client.get_paginator("list_service_quotas").paginate(ServiceCode="sagemaker"):
        for quota in page.get("Quotas", []):
            name, value = quota.get("QuotaName"), quota.get("Value")
            if isinstance(name, str) and isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and math.isfinite(value) and value >= 0:
                out[normalise_name(name)] = float(value)
    return out


def from_service_quotas(client: Optional[Any] = None) -> dict[str, float]:
    """Every SageMaker quota by name, from the Service Quotas API, within the live deadline."""
    try:
        import botocore.exceptions as bexc
    except ImportError:
        raise QuotaError("'--quotas live' needs boto3: pip install 'gpulint[aws]'") from None
    from gpulint.model.aws_client import DEADLINE_S, DeadlineExceeded, within

    try:
        return within(lambda: _list_quotas(client), DEADLINE_S)
    except DeadlineExceeded:
        raise QuotaError(f"the Service Quotas API did not answer within {DEADLINE_S:g} s; try again, or pass "
                         "'--quotas FILE'") from None
    except bexc.NoRegionError:
        raise QuotaError("'--quotas live' needs an AWS region: set AWS_REGION or AWS_DEFAULT_REGION, "
                         "or a region in your AWS profile") from None
    except bexc.NoCredentialsError:
        raise QuotaError("'--quotas live' found no AWS credentials: configure a profile, environment "
                         "variables or an instance role, or pass '--quotas FILE'") from None
    except bexc.ClientError as exc:
        err = exc.response.get("Error", {})
        raise QuotaError(f"the Service Quotas API refused the request: {err.get('Code', 'error')}: "
                         f"{err.get('Message', exc)}") from None
    except bexc.BotoCoreError as exc:
        raise QuotaError(f"cannot reach the Service Quotas API: {exc}") from None


def load(spec: Any, root: Optional[str] = None) -> dict[str, float]:
    """Quotas from a config value: a mapping, a file path, or ``live``."""
    if isinstance(spec, dict):
        return _validate(spec, "quotas")
    if not isinstance(spec, str) or not spec:
        raise QuotaError(f"quotas: expected a file, 'live' or a mapping, found {spec!r}")
    if spec == LIVE:
        return from_service_quotas()
    path = spec if os.path.isabs(spec) or root is None else os.path.join(root, spec)
    return from_file(path)


_CACHE: dict[int, tuple[Any, dict[str, float]]] = {}


def for_config(config: Any) -> Optional[dict[str, float]]:
    """The quotas a config names (loaded once per config), or None when it names none."""
    spec = getattr(config, "quotas", None)
    if spec is None:
        return None
    if isinstance(spec, dict) and all(isinstance(v, float) for v in spec.values()) and \
            all(k == normalise_name(k) for k in spec):
        return spec
    cached = _CACHE.get(id(config))
    if cached is not None and cached[0] is spec:
        return cached[1]
    root = os.path.dirname(config.path) if getattr(config, "path", None) else None
    loaded = load(spec, root)
    _CACHE[id(config)] = (spec, loaded)
    return loaded
