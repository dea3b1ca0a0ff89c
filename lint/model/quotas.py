"""Account quotas for SageMaker instance usage: from a file or the Service Quotas API.

A quotas file is YAML or JSON::

    quotas:
      ml.p4d.24xlarge for endpoint usage: 6
      ml.g5.12xlarge for training job usage: 4

using the names the Service Quotas console and API show; a name gpulint does not
read (a typo, another usage) is an error, never a quota silently left unchecked.
``live`` reads them from the Service Quotas API (service code ``sagemaker``)
through boto3, in the region of ``--region``, else AWS_REGION, else the usual
AWS settings, with their credentials, short timeouts and a wall clock
(:mod:`gpulint.model.aws_client`): an API that fails or does not answer in time
is a :class:`QuotaError`, never a wait. boto3 is imported only here, and only
for ``live``.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Optional

LIVE = "live"

#: the usages of the quota names gpulint reads, ``<ml. instance type> for <usage> usage``
USAGES = ("endpoint", "training job", "spot training job", "transform job")
#: quota names gpulint reads; family names may contain '-' (ml.p6-b200.48xlarge)
QUOTA_NAME = re.compile(
    r"^(ml\.[a-z0-9-]+\.[a-z0-9]+) for (endpoint|training job|spot training job|transform job) usage$"
)
#: a name with the shape of one, however misspelt: (instance type, usage)
_LOOSE_NAME = re.compile(r"^(\S+)\s+for\s+(.+?)(?:\s+usage)?$")


class QuotaError(Exception):
    """Quotas cannot be read; the message says why and what to do."""


class Quotas(dict):
    """Quotas read and checked, by normalised name: what ``for_config`` returns, and may be
    given back (the command line puts them in place of the config's ``quotas``)."""


def normalise_name(name: str) -> str:
    return " ".join(name.split()).lower()


def _validate(mapping: Any, where: str) -> dict[str, float]:
    from gpulint.load.sidefile import shorten, shown

    if not isinstance(mapping, dict):
        raise QuotaError(f"{where}: expected a mapping 'quotas: {{\"<type> for endpoint usage\": N}}', "
                         f"found {shown(mapping)}")
    out: dict[str, float] = {}
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise QuotaError(f"{where}: quota names must be strings, found {shown(key)}")
        problem = unknown_name(key)
        if problem is not None:
            raise QuotaError(f"{where}: {problem}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise QuotaError(f"{where}: quota '{shorten(key)}' must be a non-negative number, found {shown(value)}")
        out[normalise_name(key)] = float(value)
    return Quotas(out)


def unknown_name(name: str) -> Optional[str]:
    """Why gpulint would never read the quota ``name`` (a message with the closest name it
    reads), or None for a name it reads. A quota that no rule reads would pass silently."""
    from gpulint.model import catalog

    norm = normalise_name(name)
    m = QUOTA_NAME.match(norm)
    if m and catalog.sagemaker_usages(m.group(1)):
        return None
    from gpulint.load.sidefile import shorten

    shown = shorten(name.encode("unicode_escape").decode("ascii"), 80)
    if m:
        hints = catalog.suggest(m.group(1), sagemaker=True, n=1)
        hint = f"; did you mean '{hints[0]} for {m.group(2)} usage'?" if hints else ""
        return f"quota '{shown}': '{shorten(m.group(1))}' is not a SageMaker instance type{hint}"
    close = _closest_name(norm)
    hint = f"; did you mean '{close}'?" if close else ""
    return (f"quota '{shown}' is not a quota gpulint reads{hint} (names are '<ml. instance type> for "
            f"<usage> usage', <usage> one of: {', '.join(USAGES)})")


def _closest_name(norm: str) -> Optional[str]:
    import difflib

    from gpulint.model import catalog

    m = _LOOSE_NAME.match(norm)
    if not m:
        return None
    itype, usage = m.group(1), m.group(2).strip()
    if not catalog.sagemaker_usages(itype):
        found = catalog.suggest(itype, sagemaker=True, n=1)
        if not found:
            return None
        itype = found[0]
    usages = difflib.get_close_matches(usage, USAGES, n=1, cutoff=0.8)
    return f"{itype} for {usages[0]} usage" if usages else None


def from_file(path: str) -> dict[str, float]:
    """The quotas in the file ``path`` (YAML, or JSON when it ends in .json): read only when it
    is a regular file of at most SIDE_FILE_LIMIT bytes, parsed with gpulint's own loader."""
    from gpulint.diagnostics import printable
    from gpulint.load.bounded import SideFileError
    from gpulint.load.sidefile import read_document

    name = printable(path)
    try:
        data = read_document(path, "json" if path.endswith(".json") else "yaml")
    except SideFileError as exc:
        raise QuotaError(f"quotas file {exc.where(name)}: {exc.message}") from None
    if not isinstance(data, dict) or "quotas" not in data:
        raise QuotaError(f"quotas file {name}: expected a top-level 'quotas:' mapping")
    return _validate(data["quotas"], f"quotas file {name}")


def api_region(region: Optional[str] = None, environ: Optional[Any] = None) -> Optional[str]:
    """The region to call AWS in: ``--region``, else AWS_REGION (which the AWS SDKs prefer to
    AWS_DEFAULT_REGION, but botocore does not read), else None for botocore's own lookup
    (AWS_DEFAULT_REGION, then the profile's region)."""
    env = os.environ if environ is None else environ
    return region or env.get("AWS_REGION") or None


def _default_client(region: Optional[str] = None) -> Any:
    from gpulint.model.aws_client import make_client as client_with_timeouts

    return client_with_timeouts("service-quotas", api_region(region))


#: how the live path makes its client from a region (tests swap in a stubbed one)
make_client: Callable[[Optional[str]], Any] = _default_client


def _list_quotas(client: Optional[Any], region: Optional[str]) -> dict[str, float]:
    import math

    client = client or make_client(region)
    out: dict[str, float] = {}
    for page in client.get_paginator("list_service_quotas").paginate(ServiceCode="sagemaker"):
        for quota in page.get("Quotas", []):
            name, value = quota.get("QuotaName"), quota.get("Value")
            if isinstance(name, str) and isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and math.isfinite(value) and value >= 0:
                out[normalise_name(name)] = float(value)
    return Quotas(out)


def from_service_quotas(client: Optional[Any] = None, region: Optional[str] = None) -> dict[str, float]:
    """Every SageMaker quota by name, from the Service Quotas API (in ``region``, else the
    region of the usual AWS settings), within the live deadline."""
    try:
        import botocore.exceptions as bexc
    except ImportError:
        raise QuotaError("'--quotas live' needs boto3: pip install 'gpulint[aws]'") from None
    from gpulint.model.aws_client import DEADLINE_S, DeadlineExceeded, within

    try:
        return within(lambda: _list_quotas(client, region), DEADLINE_S)
    except DeadlineExceeded:
        raise QuotaError(f"the Service Quotas API did not answer within {DEADLINE_S:g} s; try again, or pass "
                         "'--quotas FILE'") from None
    except bexc.NoRegionError:
        raise QuotaError("'--quotas live' needs an AWS region: pass --region, set AWS_REGION or "
                         "AWS_DEFAULT_REGION, or set a region in your AWS profile") from None
    except bexc.NoCredentialsError:
        raise QuotaError("'--quotas live' found no AWS credentials: configure a profile, environment "
                         "variables or an instance role, or pass '--quotas FILE'") from None
    except bexc.ClientError as exc:
        err = exc.response.get("Error", {})
        raise QuotaError(f"the Service Quotas API refused the request: {err.get('Code', 'error')}: "
                         f"{err.get('Message', exc)}") from None
    except bexc.BotoCoreError as exc:
        raise QuotaError(f"cannot reach the Service Quotas API: {exc}") from None


def load(spec: Any, root: Optional[str] = None, region: Optional[str] = None) -> dict[str, float]:
    """Quotas from a config value: a mapping, a file path, or ``live`` (read in ``region``)."""
    if isinstance(spec, dict):
        return _validate(spec, "quotas")
    if not isinstance(spec, str) or not spec:
        from gpulint.load.sidefile import shown

        raise QuotaError(f"quotas: expected a file, 'live' or a mapping, found {shown(spec)}")
    if spec == LIVE:
        return from_service_quotas(region=region)
    path = spec if os.path.isabs(spec) or root is None else os.path.join(root, spec)
    return from_file(path)


#: id(config) -> (the config, its quotas spec, the quotas read): the config is held so that its
#: id is not given to another config while the entry lives
_CACHE: dict[int, tuple[Any, Any, dict[str, float]]] = {}


def for_config(config: Any, region: Optional[str] = None) -> Optional[dict[str, float]]:
    """The quotas a config names (loaded once per config; ``live`` ones in ``region``), or None
    when it names none."""
    spec = getattr(config, "quotas", None)
    if spec is None:
        return None
    if isinstance(spec, Quotas):
        return spec
    cached = _CACHE.get(id(config))
    if cached is not None and cached[0] is config and cached[1] is spec:
        return cached[2]
    path = getattr(config, "path", None)
    if isinstance(spec, dict):  # the mapping itself, in the config file
        from gpulint.diagnostics import printable

        loaded: dict[str, float] = _validate(spec, f"{printable(path)}: quotas" if path else "quotas")
    else:
        loaded = load(spec, os.path.dirname(path) if path else None, region)
    _CACHE[id(config)] = (config, spec, loaded)
    return loaded
