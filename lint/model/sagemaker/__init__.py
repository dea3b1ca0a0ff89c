"""SageMaker and Application Auto Scaling documents.

This module is the package's public API: rules, the cost estimate and tests
import from ``gpulint.model.sagemaker`` the names listed in ``__all__``; the
submodules are the package's own layout.

* :mod:`.objects`: :class:`AwsObject` and the SageMaker resources, and the
  ``as_*`` / :func:`is_unknown` readers of their members;
* :mod:`.autoscaling`: scalable targets, scaling policies and their ResourceIds;
* :mod:`.recognise`: the recognisers for request documents, saved
  ``describe_*`` responses, ACK custom resources and CloudFormation resources,
  and the test for a skeleton request document;
* :mod:`.operator`: the legacy SageMaker operator's custom resources
  (``sagemaker.aws.amazon.com``), read as the API documents they send;
* :mod:`.intrinsics`: CloudFormation intrinsic functions in their JSON and
  short YAML forms, each one unknown value;
* :mod:`.references`: references between the resources of one template
  (``ScalingTargetId: !Ref``, names built with ``!Sub``/``!Join``/``!GetAtt``);
* :mod:`.schema`: validation against the JSON Schemas generated from the
  botocore service models, and the mapping between API and written paths;
* :mod:`.joins`: the cross-file index that joins models, endpoint configs,
  endpoints and scaling by name;
* :mod:`.documents`: what several rules read from policy documents (member
  spellings, the target-tracking configuration, the default cooldown);
* :mod:`.serving`: how a model is served (large-model serving images, uncompressed
  weights) and the accelerators and memory of the instance types serving it.

Importing the package registers its recognisers. The run imports it only once
an AWS document is seen, so a run over Kubernetes manifests alone never loads
it (see ``DOMAIN_GATES`` in :mod:`gpulint.model.recognize`); jsonschema is
imported when the first AWS document is validated, and botocore never.
"""

from __future__ import annotations

# importing the recogniser module registers its recognisers
from gpulint.model.sagemaker import operator, recognise  # noqa: F401
from gpulint.model.sagemaker.autoscaling import ScalableTarget, ScalingPolicy, parse_resource_id
from gpulint.model.sagemaker.documents import DEFAULT_COOLDOWN, spelled, target_tracking
from gpulint.model.sagemaker.joins import Index, index, variant_instance_types
from gpulint.model.sagemaker.objects import (
    AwsObject,
    ComponentSpec,
    Endpoint,
    EndpointConfig,
    InferenceComponent,
    SageMakerModel,
    TrainingJob,
    TransformJob,
    Variant,
    as_bool,
    as_int,
    as_str,
    is_unknown,
)
from gpulint.model.sagemaker.schema import inline_refs, schema_dir
from gpulint.model.sagemaker.serving import (
    gpu_count,
    large_model_image,
    large_model_reason,
    memory_mib,
    neuron_capacity,
    uncompressed_weights,
)

__all__ = [
    "DEFAULT_COOLDOWN",
    "AwsObject",
    "ComponentSpec",
    "Endpoint",
    "EndpointConfig",
    "Index",
    "InferenceComponent",
    "SageMakerModel",
    "ScalableTarget",
    "ScalingPolicy",
    "TrainingJob",
    "TransformJob",
    "Variant",
    "as_bool",
    "as_int",
    "as_str",
    "gpu_count",
    "index",
    "inline_refs",
    "is_unknown",
    "large_model_image",
    "large_model_reason",
    "memory_mib",
    "neuron_capacity",
    "parse_resource_id",
    "schema_dir",
    "spelled",
    "target_tracking",
    "uncompressed_weights",
    "variant_instance_types",
]
