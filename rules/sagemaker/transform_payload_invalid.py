"""The rule transform-payload-invalid (SM302): a Batch Transform job's payload size, concurrency or
record splitting cannot work."""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import TransformJob, as_int


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
    domain = "sagemaker"
    targets = (TransformJob,)
    Options = TransformOptions
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTransformJob.html"

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
