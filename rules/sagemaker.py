"""SageMaker rules: payload limits, batch transform, managed spot training,
heterogeneous instance pools, and instance quotas."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pydantic import Field

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import (
    AwsObject,
    EndpointConfig,
    SageMakerModel,
    TrainingJob,
    TransformJob,
    Variant,
    as_int,
    as_str,
    index,
    is_unknown,
)

SM_HETERO_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-heterogeneous.html"
SM_SPOT_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html"
SM_BATCH_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTransformJob.html"
SM_INVOKE_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"
SQ_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/regions-quotas.html"

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


def _env_bytes(value: Any, unit: int) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * unit
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) * unit
    return None


def _mb(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n % MIB else f"{n // MIB} MiB"


# --------------------------------------------------------------------------- payloads


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
    targets = (SageMakerModel,)
    cross_file = True
    source_url = SM_INVOKE_DOC

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


class TransformOptions(RuleOptions):
    max_payload_mb: int = Field(100, ge=1, description="Largest MaxPayloadInMB (and MaxPayloadInMB x MaxConcurrentTransforms).")


@register
class TransformPayloadInvalid(Rule):
    """## What it does
    Flags a Batch Transform job whose ``MaxPayloadInMB`` is above 100, whose
    ``MaxPayloadInMB`` x ``MaxConcurrentTransforms`` is above 100 MB, or that
    sets ``BatchStrategy: MultiRecord`` without splitting its input
    (``TransformInput.SplitType`` absent or ``None``). A saved
    ``DescribeTransformJob`` response is not checked: it records a job the
    service accepted.

    ## Why is this bad?
    SageMaker documents MaxPayloadInMB as at most 100 MB, and the product with
    MaxConcurrentTransforms as at most 100 MB too: the job is rejected.
    MultiRecord batches records into mini-batches, which needs the input split
    into records (``Line``, ``RecordIO`` or ``TFRecord``); with ``SplitType:
    None`` every request carries a whole file, which is not what the strategy
    asks for.

    ## Example
    ```yaml
    MaxConcurrentTransforms: 8
    MaxPayloadInMB: 50
    BatchStrategy: MultiRecord
    TransformInput:
      SplitType: None
    ```

    ## Use instead
    ```yaml
    MaxConcurrentTransforms: 2
    MaxPayloadInMB: 50
    BatchStrategy: MultiRecord
    TransformInput:
      SplitType: Line
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTransformJob.html
    """

    code = "SM302"
    name = "transform-payload-invalid"
    severity = Severity.ERROR
    summary = "A Batch Transform job's payload size, concurrency or record splitting cannot work"
    targets = (TransformJob,)
    Options = TransformOptions
    source_url = SM_BATCH_DOC

    def check(self, obj: TransformJob, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response records a job the service accepted
        limit = ctx.options.max_payload_mb
        payload = as_int(obj.get("MaxPayloadInMB"))
        concurrent = as_int(obj.get("MaxConcurrentTransforms"))
        if payload is not None and payload > limit:
            yield Finding(obj.at("MaxPayloadInMB"),
                          f"MaxPayloadInMB is {payload}; SageMaker allows at most {limit} MB per request")
        elif payload and concurrent and payload * concurrent > limit:
            yield Finding(
                obj.at("MaxConcurrentTransforms"),
                f"MaxConcurrentTransforms {concurrent} x MaxPayloadInMB {payload} = {payload * concurrent} MB, "
                f"above the {limit} MB SageMaker allows; lower one of them",
            )
        split = obj.get("TransformInput", "SplitType")
        if obj.get("BatchStrategy") == "MultiRecord" and (split is None or split == "None") \
                and isinstance(obj.get("TransformInput"), dict):
            where = ("TransformInput", "SplitType") if split is not None else ("BatchStrategy",)
            yield Finding(
                obj.at(*where),
                "BatchStrategy MultiRecord needs the input split into records, but TransformInput.SplitType is "
                f"{'None' if split is not None else 'not set (None)'}: set SplitType to Line, RecordIO or TFRecord",
            )


# --------------------------------------------------------------------------- spot training


@register
class SpotTrainingWithoutCheckpoint(Rule):
    """## What it does
    Flags a training job with ``EnableManagedSpotTraining: true`` and no
    ``CheckpointConfig.S3Uri``.

    ## Why is this bad?
    Spot capacity can be reclaimed at any time. SageMaker resumes an
    interrupted spot job by copying the checkpoints it finds in
    ``CheckpointConfig.S3Uri`` back into the container; without that location
    there is nothing to resume from and the job starts again from zero, paying
    again for the work already done (and may never finish under frequent
    interruptions).

    ## Example
    ```yaml
    EnableManagedSpotTraining: true
    StoppingCondition: {MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800}
    ```

    ## Use instead
    ```yaml
    EnableManagedSpotTraining: true
    CheckpointConfig:
      S3Uri: s3://my-bucket/checkpoints/job-1/
    StoppingCondition: {MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800}
    ```
    The training script must also save checkpoints to the local path
    (``/opt/ml/checkpoints`` by default) and load them on start.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-checkpoints.html
    """

    code = "SM303"
    name = "spot-training-without-checkpoint"
    severity = Severity.ERROR
    summary = "Managed spot training without CheckpointConfig.S3Uri restarts from zero when interrupted"
    targets = (TrainingJob,)
    source_url = SM_SPOT_DOC

    def check(self, obj: TrainingJob, ctx: Context) -> Iterator[Finding]:
        if not obj.spot:
            return
        conf = obj.get("CheckpointConfig")
        if is_unknown(conf) or (isinstance(conf, dict) and conf.get("S3Uri") is not None):
            return
        yield Finding(
            obj.at("EnableManagedSpotTraining"),
            "managed spot training without CheckpointConfig.S3Uri: an interruption restarts the job from zero; "
            "set CheckpointConfig.S3Uri and save checkpoints to its local path",
        )


class SpotWaitOptions(RuleOptions):
    require_max_wait: bool = Field(
        False,
        description="Also report spot jobs that do not set StoppingCondition.MaxWaitTimeInSeconds at all "
        "(a team convention: whether the service requires it is not documented).",
    )
    wait_margin_seconds: int = Field(
        3600, ge=0, description="What the fix adds to MaxRuntimeInSeconds for MaxWaitTimeInSeconds, in seconds."
    )


@register
class SpotMaxWaitInvalid(Rule):
    """## What it does
    Flags a training job with ``EnableManagedSpotTraining: true`` whose
    ``StoppingCondition.MaxWaitTimeInSeconds`` is below ``MaxRuntimeInSeconds``.
    With ``require-max-wait: true`` it also flags a spot job that does not set
    ``MaxWaitTimeInSeconds`` at all. A saved ``DescribeTrainingJob`` response
    is not checked: it records a job the service accepted.

    ## Why is this bad?
    ``MaxWaitTimeInSeconds`` bounds the whole life of a spot job: the time
    spent waiting for spot capacity plus the time it runs. The API requires it
    to be at least ``MaxRuntimeInSeconds``; below that the request is rejected.

    A spot job without it has no stated bound on how long it may wait for
    capacity; the SageMaker Python SDK sends it only when ``max_wait`` is
    given, and AWS's spot-training guide always sets it together with
    ``use_spot_instances``. Whether the service rejects a spot job without it
    is not documented, so that half of the check is off unless a team makes it
    its convention with ``require-max-wait: true``.

    ## Example
    ```yaml
    EnableManagedSpotTraining: true
    StoppingCondition:
      MaxRuntimeInSeconds: 86400
      MaxWaitTimeInSeconds: 3600
    ```

    ## Use instead
    ```yaml
    EnableManagedSpotTraining: true
    StoppingCondition:
      MaxRuntimeInSeconds: 86400
      MaxWaitTimeInSeconds: 172800
    ```

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` sets ``MaxWaitTimeInSeconds`` to
    ``MaxRuntimeInSeconds`` plus a margin for waiting on spot capacity
    (``wait-margin-seconds``, default 3600), adding it when it is missing,
    required and ``MaxRuntimeInSeconds`` is set. How long a job may wait for capacity is a
    cost and schedule decision a reviewer should check.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html
    """

    code = "SM304"
    name = "spot-max-wait-invalid"
    severity = Severity.ERROR
    summary = "Managed spot training whose MaxWaitTimeInSeconds is below MaxRuntimeInSeconds"
    targets = (TrainingJob,)
    Options = SpotWaitOptions
    source_url = SM_SPOT_DOC
    fix = Applicability.UNSAFE

    def check(self, obj: TrainingJob, ctx: Context) -> Iterator[Finding]:
        if not obj.spot or obj.form == "response":
            return  # a saved describe response records a job the service accepted
        stop = obj.get("StoppingCondition")
        if is_unknown(stop) or (stop is not None and not isinstance(stop, dict)):
            return  # unknown, or a schema violation already
        stop = stop or {}
        raw_wait = stop.get("MaxWaitTimeInSeconds")
        if raw_wait is None:
            if ctx.options.require_max_wait:
                where: tuple = ("EnableManagedSpotTraining",)
                if "MaxRuntimeInSeconds" in stop:
                    where = ("StoppingCondition", "MaxRuntimeInSeconds")
                elif "StoppingCondition" in obj.data:
                    where = ("StoppingCondition",)
                runtime = as_int(stop.get("MaxRuntimeInSeconds"))
                fix = None
                if runtime is not None:
                    wait = runtime + ctx.options.wait_margin_seconds
                    fix = Fix([Edit(obj.at("StoppingCondition") + (_spelled(obj, "MaxWaitTimeInSeconds"),), wait,
                                    "add")],
                              Applicability.UNSAFE, f"set MaxWaitTimeInSeconds to {wait}")
                yield Finding(
                    obj.at(*where),
                    "managed spot training without StoppingCondition.MaxWaitTimeInSeconds: set it (at least "
                    "MaxRuntimeInSeconds) to bound the time spent waiting for spot capacity plus running",
                    fix=fix,
                )
            return
        wait, runtime = as_int(raw_wait), as_int(stop.get("MaxRuntimeInSeconds"))
        if wait is not None and runtime is not None and wait < runtime:
            yield Finding(
                obj.at("StoppingCondition", "MaxWaitTimeInSeconds"),
                f"MaxWaitTimeInSeconds {wait} is below MaxRuntimeInSeconds {runtime}; it counts waiting for spot "
                "capacity plus running, and must be at least MaxRuntimeInSeconds",
                fix=Fix([Edit(obj.at("StoppingCondition", "MaxWaitTimeInSeconds"),
                              runtime + ctx.options.wait_margin_seconds)],
                        Applicability.UNSAFE,
                        f"set MaxWaitTimeInSeconds to {runtime + ctx.options.wait_margin_seconds}"),
            )


# --------------------------------------------------------------------------- instance pools


@register
class InstancePoolsInvalid(Rule):
    """## What it does
    Flags a production variant that sets ``InstancePools`` together with
    ``InstanceType``, lists the same ``Priority`` or the same ``InstanceType``
    in two pools, or sets ``VariantInstanceProvisionTimeoutInSeconds`` outside
    300-3600. A saved ``DescribeEndpointConfig`` response is not checked: it
    records a config the service accepted.

    ## Why is this bad?
    A heterogeneous variant names its instance types in ``InstancePools``,
    in place of ``InstanceType``; SageMaker provisions pools in priority order
    (1 first), so two pools with one priority, or one type listed twice, leave
    the order undefined. The provisioning timeout is the total time SageMaker
    spends trying pools and must be between 300 and 3600 seconds.

    ## Example
    ```yaml
    InstanceType: ml.g5.12xlarge
    InstancePools:
      - {InstanceType: ml.g6e.12xlarge, Priority: 1}
      - {InstanceType: ml.g5.12xlarge, Priority: 1}
    VariantInstanceProvisionTimeoutInSeconds: 120
    ```

    ## Use instead
    ```yaml
    InstancePools:
      - {InstanceType: ml.g6e.12xlarge, Priority: 1}
      - {InstanceType: ml.g5.12xlarge, Priority: 2}
    VariantInstanceProvisionTimeoutInSeconds: 900
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-heterogeneous.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html
    """

    code = "SM305"
    name = "instance-pools-invalid"
    severity = Severity.ERROR
    summary = "A variant's InstancePools conflict with InstanceType, repeat a priority or type, or time out out of range"
    targets = (EndpointConfig,)
    source_url = SM_HETERO_DOC

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response records a config the service accepted
        for v in obj.variants():
            base = ("ProductionVariants", v.index)
            label = f"variant '{v.name}'" if v.name else "this variant"
            pools = v.pools
            if pools and v.data.get("InstanceType") is not None:
                yield Finding(
                    obj.at(*base, "InstanceType"),
                    f"{label} sets InstanceType and InstancePools; InstancePools replaces InstanceType: "
                    "list every type as a pool and remove InstanceType",
                )
            for member, what in (("Priority", "priority"), ("InstanceType", "instance type")):
                seen: dict[Any, int] = {}
                for i, pool in enumerate(pools):
                    if not isinstance(pool, dict):
                        continue
                    value = pool.get(member)
                    if value is None or is_unknown(value) or isinstance(value, (dict, list)):
                        continue
                    if value in seen:
                        yield Finding(
                            obj.at(*base, "InstancePools", i, member),
                            f"{label}: InstancePools[{i}] repeats {what} {value!r} of InstancePools[{seen[value]}]; "
                            f"each pool needs its own {what}",
                        )
                    else:
                        seen[value] = i
            timeout = as_int(v.data.get("VariantInstanceProvisionTimeoutInSeconds"))
            if timeout is not None and not 300 <= timeout <= 3600:
                yield Finding(
                    obj.at(*base, "VariantInstanceProvisionTimeoutInSeconds"),
                    f"VariantInstanceProvisionTimeoutInSeconds is {timeout}; SageMaker accepts 300 to 3600 seconds",
                )


@register
class InstancePoolsRouting(Rule):
    """## What it does
    Flags a production variant whose ``InstancePools`` hold more than one
    instance type while ``RoutingConfig.RoutingStrategy`` is not
    ``LEAST_OUTSTANDING_REQUESTS`` (the default is ``RANDOM``). Asynchronous
    endpoints are not checked: their requests wait in a queue, and routing
    strategies are documented for real-time inference.

    ## Why is this bad?
    Random routing sends every instance the same share of requests. In a
    heterogeneous variant the instances are not equal: a smaller or older GPU
    gets as much traffic as the biggest one, queues up and drives latency,
    while the faster instances idle. Least-outstanding-requests routing sends
    each request to the instance with the least work in flight.

    ## Example
    ```yaml
    InstancePools:
      - {InstanceType: ml.p5.48xlarge, Priority: 1}
      - {InstanceType: ml.g6e.48xlarge, Priority: 2}
    ```

    ## Use instead
    ```yaml
    InstancePools:
      - {InstanceType: ml.p5.48xlarge, Priority: 1}
      - {InstanceType: ml.g6e.48xlarge, Priority: 2}
    RoutingConfig:
      RoutingStrategy: LEAST_OUTSTANDING_REQUESTS
    ```

    ## Fix safety
    Safe: ``--fix`` sets ``RoutingConfig.RoutingStrategy`` to
    ``LEAST_OUTSTANDING_REQUESTS`` (adding ``RoutingConfig`` when it is
    missing).

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-heterogeneous.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantRoutingConfig.html
    """

    code = "SM306"
    name = "instance-pools-routing"
    severity = Severity.WARNING
    summary = "A heterogeneous variant routes randomly instead of LEAST_OUTSTANDING_REQUESTS"
    targets = (EndpointConfig,)
    source_url = SM_HETERO_DOC
    fix = Applicability.SAFE

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        if obj.is_async:
            return  # routing strategies are documented for real-time requests; async ones wait in a queue
        for v in obj.variants():
            types = {as_str(p.get("InstanceType")) for p in v.pools if isinstance(p, dict)}
            if len(types - {None}) < 2 or any(is_unknown(p.get("InstanceType")) for p in v.pools if isinstance(p, dict)):
                continue
            routing = v.data.get("RoutingConfig")
            strategy = routing.get("RoutingStrategy") if isinstance(routing, dict) else None
            if is_unknown(routing) or is_unknown(strategy) or strategy == "LEAST_OUTSTANDING_REQUESTS":
                continue
            where = ("RoutingConfig", "RoutingStrategy") if strategy is not None else (
                ("VariantName",) if "VariantName" in v.data else ("InstancePools",))
            shown = f"RoutingStrategy {strategy}" if strategy is not None else "no RoutingConfig (RANDOM)"
            yield Finding(
                obj.at("ProductionVariants", v.index, *where),
                f"variant '{v.name}' pools {len(types - {None})} instance types with {shown}: equal traffic goes "
                "to unequal hardware; set RoutingConfig.RoutingStrategy: LEAST_OUTSTANDING_REQUESTS",
                fix=_routing_fix(obj, v.index, routing),
            )


def _spelled(obj: AwsObject, member: str) -> str:
    """A new member's name as the document spells its members (camelCase in ACK resources)."""
    return member[:1].lower() + member[1:] if obj.form == "ack" else member


def _routing_fix(obj: AwsObject, index: int, routing: Any) -> Optional[Fix]:
    strategy = "LEAST_OUTSTANDING_REQUESTS"
    if isinstance(routing, dict):
        if "RoutingStrategy" in routing:
            path = obj.at("ProductionVariants", index, "RoutingConfig", "RoutingStrategy")
        else:
            path = obj.at("ProductionVariants", index, "RoutingConfig") + (_spelled(obj, "RoutingStrategy"),)
        edit = Edit(path, strategy)
    elif routing is None:
        edit = Edit(obj.at("ProductionVariants", index) + (_spelled(obj, "RoutingConfig"),),
                    {_spelled(obj, "RoutingStrategy"): strategy}, "add")
    else:
        return None
    return Fix([edit], Applicability.SAFE, f"set RoutingConfig.RoutingStrategy to {strategy}")


# --------------------------------------------------------------------------- quotas


class QuotaOptions(RuleOptions):
    sum_training_jobs: bool = Field(
        False,
        description="Add up all linted training jobs per instance type (they run at the same time); "
        "by default each job is checked alone.",
    )


def _variant_max(ctx: Context, config: EndpointConfig, v: Variant, endpoint: str, known: bool) -> tuple[Optional[int], str]:
    """The most instances a variant of one endpoint can run, and where that number comes from."""
    idx = index(ctx.project)
    if v.name:
        targets = idx.variant_targets(endpoint, v.name)
        caps = [as_int(t.get("MaxCapacity")) for t in targets]
        if len(targets) == 1 and caps[0] is not None:
            return caps[0], f"MaxCapacity of its scalable target in {targets[0].file}"
    count = v.instance_count
    mis = v.managed_scaling
    top = as_int(mis.get("MaxInstanceCount")) if mis.get("Status") == "ENABLED" else None
    if top is not None and (count is None or top > count):
        return top, "ManagedInstanceScaling.MaxInstanceCount"
    return count, "InitialInstanceCount"


@register
class QuotaExceeded(Rule):
    """## What it does
    Adds up, for each instance type, the most instances the linted endpoint
    variants can run (the ``MaxCapacity`` of their scalable target, else
    ``InitialInstanceCount``, or ``ManagedInstanceScaling.MaxInstanceCount``
    when larger), counting each endpoint deployed from a config (a config
    that no Endpoint document names counts once, unless an Endpoint document
    gives its name to another config: a superseded config), and compares
    the total with the account quota ``<type> for endpoint usage``. Training
    jobs are compared with ``<type> for training job usage`` (or ``for spot
    training job usage`` with managed spot training), each job alone, or
    added up with ``sum-training-jobs: true``; a saved ``DescribeTrainingJob``
    response of a job that has ended (Completed, Failed, Stopped) holds no
    instances and is not counted.

    Quotas come from ``--quotas FILE`` (YAML or JSON, ``quotas:
    {"ml.p4d.24xlarge for endpoint usage": 6}``, the names of the Service
    Quotas console), ``--quotas live`` (the Service Quotas API through boto3,
    region and credentials from the usual AWS settings), or the ``quotas``
    config key. Without quotas the rule is silent; so it is for a type with no
    quota listed. Variants with ``InstancePools`` and serverless variants are
    not counted.

    ## Why is this bad?
    Creating or scaling past the quota fails with ``ResourceLimitExceeded``:
    the deployment stops half-way, or autoscaling silently stops adding
    instances at peak load. GPU quotas are small by default (often 0) and take
    days to raise.

    ## Example
    With ``ml.g5.12xlarge for endpoint usage`` = 4, two endpoint configs whose
    variants can each scale to 3 instances need 6.

    ## Use instead
    Lower the ``MaxCapacity`` of the scalable targets, or request a quota
    increase before deploying.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/regions-quotas.html
    - https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_ListServiceQuotas.html
    """

    code = "SM307"
    name = "quota-exceeded"
    severity = Severity.ERROR
    summary = "Endpoints or training jobs need more instances of a type than the account quota allows"
    targets = (EndpointConfig, TrainingJob)
    cross_file = True
    Options = QuotaOptions
    source_url = SQ_DOC

    def check(self, obj: Any, ctx: Context) -> Iterator[Finding]:
        from gpulint.model import quotas as quota_mod

        limits = quota_mod.for_config(ctx.config)
        if not limits:
            return
        if isinstance(obj, EndpointConfig):
            yield from self._endpoints(obj, ctx, limits)
        else:
            yield from self._training(obj, ctx, limits)

    # each usage of an instance type: (object, path, count, description)
    def _endpoint_usage(self, ctx: Context) -> dict[str, list[tuple[EndpointConfig, tuple, int, str]]]:
        cache = getattr(ctx, "_sm_endpoint_usage", None)
        if cache is not None:
            return cache
        usage: dict[str, list[tuple[EndpointConfig, tuple, int, str]]] = {}
        for config in sorted(ctx.project.of_type(EndpointConfig), key=lambda o: (o.file, o.doc_index)):
            names, known = index(ctx.project).endpoint_names(config)
            if not names:
                if config.name:
                    continue  # its name is another config's endpoint: not known to be deployed
                names = ["?"]
            for v in config.variants():
                itype = as_str(v.data.get("InstanceType"))
                if itype is None or v.pools or v.serverless:
                    continue
                for endpoint in names:
                    n, why = _variant_max(ctx, config, v, endpoint, known)
                    if n is None or n <= 0:
                        continue
                    desc = f"{config.file}: endpoint '{endpoint}' variant '{v.name}' {n} ({why})"
                    usage.setdefault(itype, []).append(
                        (config, ("ProductionVariants", v.index, "InstanceType"), n, desc))
        ctx._sm_endpoint_usage = usage  # type: ignore[attr-defined]
        return usage

    def _endpoints(self, obj: EndpointConfig, ctx: Context, limits: dict[str, float]) -> Iterator[Finding]:
        for itype, uses in sorted(self._endpoint_usage(ctx).items()):
            if uses[0][0] is not obj:
                continue  # reported once, on the first contributor
            quota_name = f"{itype} for endpoint usage"
            limit = limits.get(quota_name.lower())
            total = sum(u[2] for u in uses)
            if limit is None or total <= limit:
                continue
            yield Finding(
                obj.at(*uses[0][1]),
                f"endpoints can run up to {total} {itype} instance(s), above the quota "
                f"'{quota_name}' = {limit:g}: " + "; ".join(u[3] for u in uses),
                related=sorted({u[0].file for u in uses}),
            )

    def _training(self, obj: TrainingJob, ctx: Context, limits: dict[str, float]) -> Iterator[Finding]:
        jobs = [obj]
        if ctx.options.sum_training_jobs:
            jobs = sorted(ctx.project.of_type(TrainingJob), key=lambda o: (o.file, o.doc_index))
        own = _training_usage(obj)
        for (itype, spot), (path, _) in sorted(own.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            uses = []
            for job in jobs:
                entry = _training_usage(job).get((itype, spot))
                if entry is not None:
                    uses.append((job, entry[0], entry[1]))
            if uses[0][0] is not obj:
                continue
            quota_name = f"{itype} for {'spot training job' if spot else 'training job'} usage"
            limit = limits.get(quota_name.lower())
            total = sum(u[2] for u in uses)
            if limit is None or total <= limit:
                continue
            detail = "; ".join(f"{j.file}: training job '{j.name}' {n}" for j, _, n in uses)
            yield Finding(
                obj.at(*path),
                f"training needs {total} {itype} instance(s), above the quota '{quota_name}' = {limit:g}: {detail}",
                related=sorted({u[0].file for u in uses}),
            )


_FINISHED = ("Completed", "Failed", "Stopped")


def _training_usage(job: TrainingJob) -> dict[tuple[str, bool], tuple[tuple, int]]:
    """(instance type, spot) -> (path of the first mention, instance count) for one job."""
    out: dict[tuple[str, bool], tuple[tuple, int]] = {}
    rc = job.get("ResourceConfig")
    if not isinstance(rc, dict) or job.get("TrainingJobStatus") in _FINISHED:
        return out  # a saved response of a job that has ended holds no instances
    spot = job.spot
    itype, count = as_str(rc.get("InstanceType")), as_int(rc.get("InstanceCount"))
    if itype and count and count > 0:
        out[(itype, spot)] = (("ResourceConfig", "InstanceType"), count)
    groups = rc.get("InstanceGroups")
    if isinstance(groups, list):
        for i, g in enumerate(groups):
            if not isinstance(g, dict):
                continue
            gtype, gcount = as_str(g.get("InstanceType")), as_int(g.get("InstanceCount"))
            if gtype and gcount and gcount > 0:
                path, prev = out.get((gtype, spot), (("ResourceConfig", "InstanceGroups", i, "InstanceType"), 0))
                out[(gtype, spot)] = (path, prev + gcount)
    return out

