"""The rule spot-training-without-checkpoint (SM303): managed spot training without
CheckpointConfig.S3Uri restarts from zero when interrupted."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import TrainingJob, is_unknown
from gpulint.rules.sagemaker import SM_SPOT_DOC


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
    domain = "sagemaker"
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
