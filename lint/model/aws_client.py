"""How gpulint makes boto3 clients: short timeouts and few retries, so that a live call AWS does
not answer fails in seconds, not minutes.

Every live path uses it: Service Quotas (``--quotas live``), the Price List
API and EC2 spot price history (``gpulint cost --live``), and the scripts that
regenerate the instance catalog and the price snapshot. boto3 and botocore are
imported only when a client is made.

A read timeout bounds each wait for bytes, not a whole answer (a server that
trickles bytes never trips it), so live work also runs under a wall clock:
:func:`within` gives up on it after ``DEADLINE_S`` in all, and the caller falls
back (prices) or stops with a clear message (quotas).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 10
#: retries after the first attempt (botocore's ``max_attempts``: three attempts in all)
MAX_RETRIES = 2
#: the most a run spends on live calls before it gives up on them
DEADLINE_S = 25.0


def client_config() -> Any:
    """The botocore Config every gpulint client is made with."""
    from botocore.config import Config

    return Config(connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                  retries={"max_attempts": MAX_RETRIES, "mode": "standard"})


def make_client(service: str, region: Optional[str] = None) -> Any:
    """A boto3 client for ``service`` (region: the usual AWS settings when None)."""
    import boto3

    return boto3.client(service, region_name=region, config=client_config())


class DeadlineExceeded(Exception):
    """Live AWS work did not finish in the time allowed."""


def within(fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, or DeadlineExceeded once ``seconds`` have passed without an answer. The call goes on
    in a daemon thread that nothing waits for: its answer, if it ever comes, is dropped."""
    import threading

    if seconds <= 0:
        raise DeadlineExceeded(seconds)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller as it is
            box["error"] = exc

    worker = threading.Thread(target=run, name="gpulint-aws", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DeadlineExceeded(seconds)
    if "error" in box:
        raise box["error"]
    return box["value"]
