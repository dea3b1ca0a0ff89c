"""The rule realtime-invocation-timeout (SM308): a model served in real time lets its model server
work on a request for longer than SageMaker's 60 s."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import InferenceComponent, SageMakerModel, as_str, index

#: SageMaker ends a real-time invocation when the container has not answered in this many seconds
REALTIME_SECONDS = 60
#: environment variables that set a model server's per-request timeout, in seconds, and who reads them
TIMEOUT_VARIABLES = {
    "SAGEMAKER_MODEL_SERVER_TIMEOUT": "the SageMaker inference toolkit",
    "SAGEMAKER_TS_RESPONSE_TIMEOUT": "the SageMaker PyTorch inference toolkit (TorchServe)",
    "TS_DEFAULT_RESPONSE_TIMEOUT": "TorchServe",
    "MMS_DEFAULT_RESPONSE_TIMEOUT": "Multi Model Server",
}


@register
class RealtimeInvocationTimeout(Rule):
    """## What it does
    Flags a model whose container environment sets the model server's
    per-request timeout above 60 seconds, when a real-time variant in the
    linted set serves it: an endpoint config without
    ``AsyncInferenceConfig``, a variant that is not serverless, of a config
    some endpoint runs (see ``quota-exceeded``), joined by ``ModelName``,
    ``InstancePools[].ModelNameOverride`` or an inference component placed on
    the variant. An inference component's own container environment
    (``Specification.Container.Environment``) is checked the same way when
    its endpoint resolves to one real-time endpoint config. Batch transform
    uses models directly and is not a reason to report. The variables read,
    all in seconds:

    - ``SAGEMAKER_MODEL_SERVER_TIMEOUT``, read by the SageMaker inference
      toolkit (``sagemaker-inference-toolkit``, used by the framework
      containers) and passed to the model server;
    - ``SAGEMAKER_TS_RESPONSE_TIMEOUT``, read by the SageMaker PyTorch
      inference toolkit for TorchServe's response timeout;
    - ``TS_DEFAULT_RESPONSE_TIMEOUT`` (TorchServe's ``default_response_timeout``;
      TorchServe reads ``TS_*`` variables only with
      ``enable_envvars_config=true``) and ``MMS_DEFAULT_RESPONSE_TIMEOUT``
      (Multi Model Server).

    ``MODEL_SERVER_TIMEOUT`` (without the prefix) is not read: no serving
    image was found that documents it. Containers of SageMaker Neo images
    are left out: AWS asks for ``MMS_DEFAULT_RESPONSE_TIMEOUT`` of 500 s there
    so that compiled models can load. A model that no linted real-time
    variant serves is not checked.

    ## Why is this bad?
    SageMaker ends a real-time invocation when the container has not
    answered within 60 seconds, whatever the server allows. A longer
    timeout never lets a request finish: the caller gets an error at 60 s
    while the server goes on working on the request, holding a worker (and
    its GPU) for up to the configured time, often while the caller retries.
    Requests that need minutes belong on an asynchronous endpoint (up to
    one hour per request).

    Whether an image's server also applies this timeout to loading the
    model (a reason it is sometimes raised) is not documented for the
    SageMaker framework images; the rule reports the value all the same,
    since on a real-time endpoint a window above 60 s serves no request and
    lets a stuck one hold its worker.

    ## Example
    ```yaml
    PrimaryContainer:
      Environment:
        SAGEMAKER_MODEL_SERVER_TIMEOUT: "600"   # served by a real-time endpoint
    ```

    ## Use instead
    Serve requests that need more than 60 s on an asynchronous endpoint
    (``AsyncInferenceConfig``); where the server does not need the longer
    window to load the model, keep the timeout at 60 s or below.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-troubleshooting.html
    - https://github.com/aws/sagemaker-inference-toolkit/blob/master/src/sagemaker_inference/parameters.py
    - https://github.com/aws/sagemaker-pytorch-inference-toolkit/blob/master/src/sagemaker_pytorch_serving_container/ts_parameters.py
    - https://docs.aws.amazon.com/sagemaker/latest/dg/neo-troubleshooting-inference.html
    - gpulint domain facts, 6.1 (real-time processing time)
    """

    code = "SM308"
    name = "realtime-invocation-timeout"
    severity = Severity.WARNING
    summary = "A model served in real time lets its model server work on a request for longer than SageMaker's 60 s"
    domain = "sagemaker"
    targets = (SageMakerModel, InferenceComponent)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"

    def check(self, obj: Any, ctx: Context) -> Iterator[Finding]:
        if isinstance(obj, InferenceComponent):
            configs = _component_configs(obj, ctx)
            containers = [(spec.path + ("Container",), spec.section("Container")) for spec in obj.specs()]
        elif obj.name:
            configs = [c for c, v in index(ctx.project).variants_serving(obj.name)
                       if not c.is_async and not v.serverless and not v.scaling_unknown]
            containers = list(obj.containers())
        else:
            return
        if not configs:
            return
        served = ", ".join(sorted({f"'{c.name}' ({c.file})" for c in configs}))
        for cpath, container in containers:
            env = container.get("Environment")
            if not isinstance(env, dict) or _neo(as_str(container.get("Image"))):
                continue
            for var in TIMEOUT_VARIABLES:
                seconds = _seconds(env.get(var))
                if seconds is None or seconds <= REALTIME_SECONDS:
                    continue
                yield Finding(
                    obj.at(*cpath, "Environment", var),
                    f"{var}={seconds} lets the model server work on a request for up to {seconds} s, "
                    f"but real-time endpoint config {served} serves this model and SageMaker ends a real-time "
                    f"invocation after {REALTIME_SECONDS} s: a longer request fails for the caller while it holds "
                    "a worker; serve requests that need more than 60 s on an asynchronous endpoint",
                    related=sorted({c.file for c in configs}),
                )


def _component_configs(obj: InferenceComponent, ctx: Context) -> list:
    """The endpoint config of the real-time endpoint an inference component is placed on, when certain."""
    configs = index(ctx.project).config_of_endpoint(obj.endpoint_name) if obj.endpoint_name else []
    if len(configs) != 1 or configs[0].is_async:
        return []
    return configs


def _neo(image: Optional[str]) -> bool:
    """A SageMaker Neo inference image (``sagemaker-neo-pytorch``, ``neo-mxnet``, ...)."""
    if not image:
        return False
    repo = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return "neo" in repo.replace("_", "-").split("-")


def _seconds(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    return None
