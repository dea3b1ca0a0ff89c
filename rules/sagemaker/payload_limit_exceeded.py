"""The rule payload-limit-exceeded (SM301): a model served in real time raises its server payload
limit above SageMaker's 6 MiB."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import EndpointConfig, SageMakerModel, as_str, index

MIB = 1024 * 1024
#: InvokeEndpoint request and response bodies (sagemaker-runtime model)
REALTIME_PAYLOAD_BYTES = 6 * MIB
#: TorchServe and MMS default max_request_size / max_response_size
SERVER_DEFAULT_BYTES = 6553500
#: environment variables that raise the model server's payload limits, and their unit
PAYLOAD_VARIABLES = {
    "TS_MAX_REQUEST_SIZE": 1,
    "TS_MAX_RESPONSE_SIZE": 1,
    "MMS_MAX_REQUEST_SIZE": 1,
    "MMS_MAX_RESPONSE_SIZE": 1,
    "SAGEMAKER_MAX_PAYLOAD_IN_MB": MIB,
}


@register
class PayloadLimitExceeded(Rule):
    """## What it does
    Flags a model whose container environment raises the model server's
    request or response size limit above SageMaker's real-time payload limit
    (6 MiB), when an endpoint config in the linted set serves that model in
    real time (no ``AsyncInferenceConfig``). Models and endpoint configs are
    joined by ``ModelName`` (and ``InstancePools[].ModelNameOverride``) across
    files. The variables checked are ``TS_MAX_REQUEST_SIZE``,
    ``TS_MAX_RESPONSE_SIZE`` (TorchServe), ``MMS_MAX_REQUEST_SIZE``,
    ``MMS_MAX_RESPONSE_SIZE`` (Multi Model Server), in bytes, and
    ``SAGEMAKER_MAX_PAYLOAD_IN_MB`` (read by the SageMaker inference toolkit),
    in MB. A value up to the servers' own default (6,553,500 bytes) does not
    raise anything and is not reported. A model that no linted endpoint config
    serves is not checked (it may be meant for batch transform or an
    asynchronous endpoint), nor is one served only by superseded configs (see
    ``quota-exceeded`` for how an endpoint config is taken as deployed).

    Whether the server honours the variable does not matter here: TorchServe
    reads ``TS_*`` variables only with ``enable_envvars_config=true``, and
    which SageMaker containers turn that on is not documented. Either way the
    setting says the model is meant for payloads a real-time endpoint cannot
    carry.

    ## Why is this bad?
    ``InvokeEndpoint`` accepts at most 6 MiB in either direction, whatever the
    container allows. Raising the server limit says the model is expected to
    take larger inputs or produce larger outputs; on a real-time endpoint those
    requests fail (413) before they reach the container.

    ## Example
    ```yaml
    PrimaryContainer:
      Environment:
        TS_MAX_REQUEST_SIZE: "104857600"   # 100 MiB, served by a real-time endpoint
    ```

    ## Use instead
    Serve large payloads through an asynchronous endpoint
    (``AsyncInferenceConfig``: up to 1 GB through S3) or Batch Transform, or
    send an S3 reference in the request instead of the data.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html
    """

    code = "SM301"
    name = "payload-limit-exceeded"
    severity = Severity.WARNING
    summary = "A model served in real time raises its server payload limit above SageMaker's 6 MiB"
    domain = "sagemaker"
    targets = (SageMakerModel,)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"

    def check(self, obj: SageMakerModel, ctx: Context) -> Iterator[Finding]:
        if not obj.name:
            return
        realtime = [c for c in _configs_serving(ctx, obj.name) if not c.is_async]
        if not realtime:
            return
        served = ", ".join(sorted({f"'{c.name}' ({c.file})" for c in realtime}))
        for cpath, container in obj.containers():
            env = container.get("Environment")
            if not isinstance(env, dict):
                continue
            for var, unit in PAYLOAD_VARIABLES.items():
                value = env.get(var)
                size = _env_bytes(value, unit)
                if size is None or size <= max(REALTIME_PAYLOAD_BYTES, SERVER_DEFAULT_BYTES):
                    continue
                yield Finding(
                    obj.at(*cpath, "Environment", var),
                    f"{var}={value} sets the model server's payload limit to {_mb(size)}, but real-time "
                    f"endpoint config {served} serves this model and InvokeEndpoint caps payloads at 6 MiB: larger requests "
                    "fail with 413; use an asynchronous endpoint or pass S3 references",
                    related=sorted({c.file for c in realtime}),
                )


def _configs_serving(ctx: Context, model: str) -> list[EndpointConfig]:
    out = []
    idx = index(ctx.project)
    for configs in idx.configs.values():
        for config in configs:
            if not idx.endpoint_names(config)[0]:
                continue  # a superseded version that no endpoint runs
            for v in config.variants():
                names = {as_str(v.data.get("ModelName"))}
                names |= {as_str(p.get("ModelNameOverride")) for p in v.pools if isinstance(p, dict)}
                if model in names:
                    out.append(config)
                    break
    return out


def _env_bytes(value: Any, unit: int) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * unit
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 18:  # '２００' and 4,301 digits are no sizes
        return int(text) * unit
    return None


def _mb(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n % MIB else f"{n // MIB} MiB"
