"""SageMaker Python SDK calls as the requests the SDK sends for them.

Classes are known by where they are imported from (``from sagemaker.pytorch import PyTorch``,
``sagemaker.estimator.Estimator``): a ``Model`` or ``Estimator`` of another library is never
read. What each call becomes (SageMaker Python SDK v2, and the v1 ``train_*`` spellings):

* an estimator (``Estimator``, ``PyTorch``, ``HuggingFace``, ...) -> ``CreateTrainingJob``:
  ``instance_type``/``instance_count`` -> ``ResourceConfig``, ``max_run`` (default 86400) and
  ``max_wait`` -> ``StoppingCondition``, ``use_spot_instances`` -> ``EnableManagedSpotTraining``,
  ``checkpoint_s3_uri`` -> ``CheckpointConfig.S3Uri``;
* a model (``Model``, ``HuggingFaceModel``, ``PyTorchModel``, ...) -> ``CreateModel``: ``name``,
  ``env`` -> ``PrimaryContainer.Environment``;
* ``.deploy(...)`` on a model or estimator -> ``CreateEndpointConfig`` named ``endpoint_name``
  (the SDK names the config after the endpoint) with one variant ``AllTraffic`` serving the
  model's ``name``: ``instance_type``, ``initial_instance_count``, ``volume_size``,
  ``model_data_download_timeout``, ``container_startup_health_check_timeout``,
  ``async_inference_config=AsyncInferenceConfig(...)`` and
  ``serverless_inference_config=ServerlessInferenceConfig(...)``;
* ``.transformer(...)`` and ``Transformer(...)`` -> ``CreateTransformJob``: ``strategy``,
  ``max_payload``, ``max_concurrent_transforms``, instance type and count.

Not read: local mode (``instance_type="local"``), inference-component deploys
(``endpoint_type=``), calls with ``*args`` or ``**kwargs``, and positional arguments past the
ones listed in :data:`POSITIONAL` (the call is then skipped). The SDK fills in names, images
and roles the request needs; the documents leave them unknown and are not checked for
required members (form ``python-sdk``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from gpulint.load.python_.scope import Scope
from gpulint.load.python_.values import UNKNOWN

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.load.python_.reader import Built, Context

FORM = "python-sdk"
ESTIMATORS = frozenset({"Estimator", "Framework", "PyTorch", "HuggingFace", "TensorFlow", "SKLearn", "XGBoost",
                        "MXNet", "Chainer", "RLEstimator"})
MODELS = frozenset({"Model", "FrameworkModel", "PyTorchModel", "HuggingFaceModel", "TensorFlowModel",
                    "SKLearnModel", "XGBoostModel", "MXNetModel", "ChainerModel"})
#: the modules these classes are imported from
MODULES = frozenset({
    "sagemaker", "sagemaker.estimator", "sagemaker.model", "sagemaker.transformer", "sagemaker.async_inference",
    "sagemaker.async_inference.async_inference_config", "sagemaker.serverless",
    "sagemaker.serverless.serverless_inference_config", "sagemaker.rl", "sagemaker.rl.estimator",
} | {f"sagemaker.{fw}{sub}" for fw in ("pytorch", "huggingface", "tensorflow", "sklearn", "xgboost", "mxnet",
                                      "chainer") for sub in ("", ".estimator", ".model")})
#: the positional parameters each call may be given, in order (None: one not read); more
#: positional arguments than listed and the call is not read
_FRAMEWORK = [None] * 10
POSITIONAL: dict[str, list[Optional[str]]] = {
    "Estimator": ["image_uri", "role", "instance_count", "instance_type"],
    "Model": ["image_uri", "model_data", "role", None],
    "deploy": ["initial_instance_count", "instance_type"],
    "transformer": ["instance_count", "instance_type", "strategy"],
    "Transformer": ["model_name", "instance_count", "instance_type", "strategy"],
    "AsyncInferenceConfig": ["output_path", "max_concurrent_invocations_per_instance"],
    "ServerlessInferenceConfig": ["memory_size_in_mb", "max_concurrency"],
}
#: v1 spellings of estimator parameters
ALIASES = {"train_instance_type": "instance_type", "train_instance_count": "instance_count",
           "train_max_run": "max_run", "train_max_wait": "max_wait", "train_use_spot_instances": "use_spot_instances",
           "train_volume_size": "volume_size", "image_name": "image_uri"}
LOCAL = ("local", "local_gpu")
MAX_RUN_DEFAULT = 24 * 60 * 60


def sdk_class(ctx: Context, node: ast.expr, scope: Scope) -> Optional[str]:
    path = ctx.module.import_path(scope, node)
    if not path or "." not in path:
        return None
    module, name = path.rsplit(".", 1)
    return name if module in MODULES else None


def arguments(call: ast.Call, positional: list[Optional[str]]) -> Optional[dict[str, ast.expr]]:
    """Keyword -> value node of ``call``; None when it cannot be read (``*args``, ``**kwargs``,
    too many positional arguments)."""
    if len(call.args) > len(positional) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    out = {name: node for name, node in zip(positional, call.args) if name}
    for kw in call.keywords:
        out[ALIASES.get(kw.arg or "", kw.arg or "")] = kw.value
    return out


def modified(ctx: Context, call: ast.Call) -> bool:
    """Is an attribute of the object ``call`` makes set later (``est.max_wait = ...``)? Then
    what the constructor says is not what is sent."""
    name = ctx.module.assigned.get(id(call))
    bases = getattr(ctx, "_sdk_attribute_bases", None)
    if bases is None:
        bases = {k.split(".", 1)[0] for k in ctx.module.attributes}
        ctx._sdk_attribute_bases = bases  # type: ignore[attr-defined]
    return name is not None and name in bases


def read_call(ctx: Context, call: ast.Call, scope: Scope) -> list[Built]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("deploy", "transformer"):
        owner = ctx.resolve_call(func.value, scope)
        kind = sdk_class(ctx, owner.func, scope) if owner is not None else None
        if kind not in ESTIMATORS | MODELS or modified(ctx, owner):  # type: ignore[arg-type]
            return []
        model = _model_name(ctx, owner, kind, scope)  # type: ignore[arg-type]
        if func.attr == "deploy":
            return _deploy(ctx, call, scope, model)
        return _transform(ctx, call, scope, model, POSITIONAL["transformer"])
    kind = sdk_class(ctx, func, scope)
    if kind is None or modified(ctx, call):
        return []
    if kind in ESTIMATORS:
        return _estimator(ctx, call, scope, kind)  # type: ignore[arg-type]
    if kind in MODELS:
        return _model(ctx, call, scope, kind)  # type: ignore[arg-type]
    if kind == "Transformer":
        return _transform(ctx, call, scope, None, POSITIONAL["Transformer"])
    return []


def _local(ctx: Context, args: dict, scope: Scope) -> bool:
    node = args.get("instance_type")
    return node is not None and ctx.values.string(node, scope) in LOCAL


def _built(call: ast.Call, label: str) -> Built:
    from gpulint.load.python_.reader import Built

    return Built(call, FORM, label)


def _estimator(ctx: Context, call: ast.Call, scope: Scope, kind: str) -> list[Built]:
    args = arguments(call, POSITIONAL["Estimator"] if kind == "Estimator" else _FRAMEWORK)
    if args is None or _local(ctx, args, scope):
        return []
    b = _built(call, f"{kind} estimator")
    ctx.default(b, ("TrainingJobName",), UNKNOWN)
    ctx.default(b, ("AlgorithmSpecification",), UNKNOWN)
    for param, path in (("instance_type", ("ResourceConfig", "InstanceType")),
                        ("instance_count", ("ResourceConfig", "InstanceCount")),
                        ("volume_size", ("ResourceConfig", "VolumeSizeInGB")),
                        ("instance_groups", ("ResourceConfig", "InstanceGroups")),
                        ("max_run", ("StoppingCondition", "MaxRuntimeInSeconds")),
                        ("use_spot_instances", ("EnableManagedSpotTraining",))):
        _put(ctx, b, path, args, param, scope)
    spot = b.data.get("EnableManagedSpotTraining")
    if spot is not None and not (isinstance(spot, str) and "${" in spot):
        if spot:
            b.data["EnableManagedSpotTraining"] = True  # the SDK sends True for any true value
        else:
            del b.data["EnableManagedSpotTraining"]  # and nothing for a false one
    ctx.default(b, ("StoppingCondition", "MaxRuntimeInSeconds"), MAX_RUN_DEFAULT)
    _put(ctx, b, ("StoppingCondition", "MaxWaitTimeInSeconds"), args, "max_wait", scope)
    _put(ctx, b, ("CheckpointConfig", "S3Uri"), args, "checkpoint_s3_uri", scope)
    return [b]


def _put(ctx: Context, b: Built, path: tuple, args: dict, param: str, scope: Scope) -> bool:
    """Read parameter ``param`` into ``path`` when the call gives it. The SDK sends most
    parameters only when they are truthy (``if max_wait:``), so a literal None, 0, False or ""
    is taken as not given."""
    node = args.get(param)
    if node is None:
        return False
    target, _ = ctx.values.deref(node, scope)
    if isinstance(target, ast.Constant) and not target.value and not isinstance(target.value, bool):
        return False
    ctx.put(b, path, node, scope)
    return True


def _model(ctx: Context, call: ast.Call, scope: Scope, kind: str) -> list[Built]:
    args = arguments(call, POSITIONAL["Model"] if kind == "Model" else _FRAMEWORK)
    if args is None or id(call) not in _used_models(ctx):
        return []
    b = _built(call, f"{kind}")
    if not _put(ctx, b, ("ModelName",), args, "name", scope):
        ctx.default(b, ("ModelName",), UNKNOWN)
    if not _put(ctx, b, ("PrimaryContainer", "Image"), args, "image_uri", scope):
        ctx.default(b, ("PrimaryContainer", "Image"), UNKNOWN)
    _put(ctx, b, ("PrimaryContainer", "ModelDataUrl"), args, "model_data", scope)
    _put(ctx, b, ("PrimaryContainer", "Environment"), args, "env", scope)
    return [b]


def _used_models(ctx: Context) -> set[int]:
    """The model constructor calls whose model is created: deployed, made a transformer, or
    created (``.create()``). A model object only built (to attach to an endpoint, say) sends
    no request."""
    used = getattr(ctx, "_sdk_used_models", None)
    if used is None:
        used = set()
        for call, scope in ctx.module.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in ("deploy", "transformer", "create"):
                owner = ctx.resolve_call(func.value, scope)
                if owner is not None:
                    used.add(id(owner))
        ctx._sdk_used_models = used  # type: ignore[attr-defined]
    return used


def _model_name(ctx: Context, owner: ast.Call, kind: str, scope: Scope) -> Optional[ast.expr]:
    """The node naming the model a deploy or transformer call uses (a model's ``name=``)."""
    if kind not in MODELS:
        return None
    return next((k.value for k in owner.keywords if k.arg == "name"), None)


def _deploy(ctx: Context, call: ast.Call, scope: Scope, model: Optional[ast.expr]) -> list[Built]:
    args = arguments(call, POSITIONAL["deploy"])
    if args is None or _local(ctx, args, scope) or "endpoint_type" in args or "resources" in args:
        return []
    b = _built(call, "deploy call")
    if not _put(ctx, b, ("EndpointConfigName",), args, "endpoint_name", scope):
        ctx.default(b, ("EndpointConfigName",), UNKNOWN)
    variant = ("ProductionVariants", 0)
    b.data["ProductionVariants"] = [{}]
    if not _put(ctx, b, variant + ("ModelName",), {"model_name": args.get("model_name", model)}, "model_name", scope):
        ctx.default(b, variant + ("ModelName",), UNKNOWN)
    _put(ctx, b, variant + ("VariantName",), args, "variant_name", scope)
    ctx.default(b, variant + ("VariantName",), "AllTraffic")
    serverless = _config_call(ctx, args.get("serverless_inference_config"), scope, "ServerlessInferenceConfig")
    if serverless is False:
        return []
    if serverless is not None:
        _serverless(ctx, b, serverless, scope)
    else:
        for param, member in (("instance_type", "InstanceType"), ("initial_instance_count", "InitialInstanceCount")):
            if not _put(ctx, b, variant + (member,), args, param, scope):
                ctx.default(b, variant + (member,), UNKNOWN)
    for param, member in (("volume_size", "VolumeSizeInGB"),
                          ("model_data_download_timeout", "ModelDataDownloadTimeoutInSeconds"),
                          ("container_startup_health_check_timeout", "ContainerStartupHealthCheckTimeoutInSeconds")):
        _put(ctx, b, variant + (member,), args, param, scope)
    asynchronous = _config_call(ctx, args.get("async_inference_config"), scope, "AsyncInferenceConfig")
    if asynchronous is False:
        ctx.default(b, ("AsyncInferenceConfig",), UNKNOWN)
    elif asynchronous is not None:
        _async(ctx, b, asynchronous, scope)
    return [b]


def _config_call(ctx: Context, node: Optional[ast.expr], scope: Scope, name: str):  # type: ignore[no-untyped-def]
    """The arguments of ``name(...)`` that ``node`` is; None when ``node`` is absent or a
    literal None; False when it is something else (unknown)."""
    if node is None:
        return None
    target, _ = ctx.values.deref(node, scope)
    if isinstance(target, ast.Constant) and target.value is None:
        return None
    if isinstance(target, ast.Call) and sdk_class(ctx, target.func, scope) == name:
        args = arguments(target, POSITIONAL[name])
        return args if args is not None else False
    return False


def _serverless(ctx: Context, b: Built, args: dict, scope: Scope) -> None:
    where = ("ProductionVariants", 0, "ServerlessConfig")
    for param, member, default in (("memory_size_in_mb", "MemorySizeInMB", 2048),
                                   ("max_concurrency", "MaxConcurrency", 5),
                                   ("provisioned_concurrency", "ProvisionedConcurrency", None)):
        if not _put(ctx, b, where + (member,), args, param, scope) and default is not None:
            ctx.default(b, where + (member,), default)


def _async(ctx: Context, b: Built, args: dict, scope: Scope) -> None:
    if not _put(ctx, b, ("AsyncInferenceConfig", "OutputConfig", "S3OutputPath"), args, "output_path", scope):
        ctx.default(b, ("AsyncInferenceConfig", "OutputConfig", "S3OutputPath"), UNKNOWN)
    _put(ctx, b, ("AsyncInferenceConfig", "ClientConfig", "MaxConcurrentInvocationsPerInstance"), args,
         "max_concurrent_invocations_per_instance", scope)


def _transform(ctx: Context, call: ast.Call, scope: Scope, model: Optional[ast.expr],
               positional: list[Optional[str]]) -> list[Built]:
    args = arguments(call, positional)
    if args is None or _local(ctx, args, scope):
        return []
    b = _built(call, "transformer call")
    ctx.default(b, ("TransformJobName",), UNKNOWN)
    if not _put(ctx, b, ("ModelName",), {"model_name": args.get("model_name", model)}, "model_name", scope):
        ctx.default(b, ("ModelName",), UNKNOWN)
    for param, path in (("strategy", ("BatchStrategy",)), ("max_payload", ("MaxPayloadInMB",)),
                        ("max_concurrent_transforms", ("MaxConcurrentTransforms",)),
                        ("instance_type", ("TransformResources", "InstanceType")),
                        ("instance_count", ("TransformResources", "InstanceCount"))):
        _put(ctx, b, path, args, param, scope)
    return [b]
