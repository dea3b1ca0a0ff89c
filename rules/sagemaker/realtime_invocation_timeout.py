"""The rule realtime-invocation-timeout (SM308): a model served in real time lets a request run for
longer than SageMaker's 60 s."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import InferenceComponent, SageMakerModel, as_str, index

#: SageMaker ends a real-time invocation when the container has not answered in this many seconds
REALTIME_SECONDS = 60
#: read by sagemaker-containers, the serving stack of the scikit-learn and XGBoost images: gunicorn's
#: worker timeout and nginx's proxy_read_timeout, in seconds (default 60)
TIMEOUT_VARIABLE = "SAGEMAKER_MODEL_SERVER_TIMEOUT"
#: repositories of the SageMaker images served that way
GUNICORN_IMAGES = ("sagemaker-scikit-learn", "sagemaker-xgboost")


@register
class RealtimeInvocationTimeout(Rule):
    """## What it does
    Flags a model served in real time whose container, a SageMaker
    scikit-learn or XGBoost image, sets ``SAGEMAKER_MODEL_SERVER_TIMEOUT``
    above 60 seconds. The model is served in real time when a variant in the
    linted set serves it: an endpoint config without ``AsyncInferenceConfig``,
    a variant that is not serverless, of a config some endpoint runs (see
    ``quota-exceeded``), joined by ``ModelName``,
    ``InstancePools[].ModelNameOverride`` or an inference component placed on
    the variant. An inference component's own container
    (``Specification.Container``) is checked the same way when its endpoint
    resolves to one real-time endpoint config. Batch transform uses models
    directly and is not a reason to report.

    In those images (served by ``sagemaker-containers``) the variable is
    gunicorn's worker timeout and nginx's ``proxy_read_timeout``: how long a
    request may take. Other serving stacks are left alone, on purpose:
    TorchServe and Multi Model Server (``SAGEMAKER_TS_RESPONSE_TIMEOUT``,
    ``TS_DEFAULT_RESPONSE_TIMEOUT``, ``MMS_DEFAULT_RESPONSE_TIMEOUT``, and
    ``SAGEMAKER_MODEL_SERVER_TIMEOUT`` in the PyTorch, Hugging Face and MXNet
    images, through the SageMaker inference toolkit) apply their response
    timeout to loading the model too, so a value above 60 s is often what
    lets a large model load at all (AWS asks for 500 s on Neo images;
    TorchServe separated the two only in late releases), and the rule cannot
    tell which purpose a value serves. ``MODEL_SERVER_TIMEOUT`` (without the
    prefix) is read by no image found to document it.

    ## Why is this bad?
    SageMaker ends a real-time invocation when the container has not
    answered within 60 seconds, whatever the server allows. A scikit-learn
    or XGBoost model loads in seconds, so a longer timeout is meant for
    requests, and it never lets one finish: the caller gets an error at 60 s
    while the worker goes on with the request, often while the caller
    retries. Requests that need minutes belong on an asynchronous endpoint
    (up to one hour per request).

    ## Example
    ```yaml
    PrimaryContainer:
      Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
      Environment:
        SAGEMAKER_MODEL_SERVER_TIMEOUT: "600"   # served by a real-time endpoint
    ```

    ## Use instead
    Serve requests that need more than 60 s on an asynchronous endpoint
    (``AsyncInferenceConfig``), or keep the timeout at 60 s or below.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
    - https://github.com/aws/sagemaker-containers/blob/master/src/sagemaker_containers/_env.py (``ServingEnv``)
    - https://github.com/pytorch/serve/issues/2061 (the response timeout also bounds model loading)
    - https://github.com/aws/sagemaker-python-sdk/issues/2574
    - https://docs.aws.amazon.com/sagemaker/latest/dg/neo-troubleshooting-inference.html
    - gpulint domain facts, 6.1 (real-time processing time)
    """

    code = "SM308"
    name = "realtime-invocation-timeout"
    severity = Severity.WARNING
    summary = "A model served in real time lets a request run for longer than SageMaker's 60 s"
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
            if not isinstance(env, dict) or not _gunicorn(as_str(container.get("Image"))):
                continue
            seconds = _seconds(env.get(TIMEOUT_VARIABLE))
            if seconds is None or seconds <= REALTIME_SECONDS:
                continue
            yield Finding(
                obj.at(*cpath, "Environment", TIMEOUT_VARIABLE),
                f"{TIMEOUT_VARIABLE}={seconds} lets a request run for up to {seconds} s, but real-time endpoint "
                f"config {served} serves this model and SageMaker ends a real-time invocation after "
                f"{REALTIME_SECONDS} s: a longer request fails for the caller while it holds a worker; serve "
                "requests that need more than 60 s on an asynchronous endpoint, or keep the timeout at 60 s",
                related=sorted({c.file for c in configs}),
            )


def _component_configs(obj: InferenceComponent, ctx: Context) -> list:
    """The endpoint config of the real-time endpoint an inference component is placed on, when certain."""
    configs = index(ctx.project).config_of_endpoint(obj.endpoint_name) if obj.endpoint_name else []
    if len(configs) != 1 or configs[0].is_async:
        return []
    return configs


def _gunicorn(image: Optional[str]) -> bool:
    """A SageMaker scikit-learn or XGBoost image (``.../sagemaker-xgboost:1.7-1``)."""
    if not image:
        return False
    repo = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return repo.startswith(GUNICORN_IMAGES)


def _seconds(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    return None
