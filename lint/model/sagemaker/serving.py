"""What several SageMaker rules read about how a model is served: its container images and
weights, and the accelerators of the instance types that serve it.

* :func:`large_model_image` names the large-model serving image a container runs (LMI / DJL
  Serving, Hugging Face TGI, vLLM, TensorRT-LLM), by the image repository's name;
* :func:`uncompressed_weights` tells whether a container's weights are an uncompressed S3
  prefix (``ModelDataSource.S3DataSource.CompressionType: None``);
* :func:`gpu_count` and :func:`neuron_capacity` read the instance catalog.
"""

from __future__ import annotations

from typing import Optional

from gpulint.model import catalog
from gpulint.model.sagemaker.objects import SageMakerModel, as_str

#: marks of large-model serving images in an image repository's name, and what they are
#: (the AWS Deep Learning Containers name them djl-inference, huggingface-pytorch-tgi-inference,
#: tgi-inference, vllm; TensorRT-LLM ships in djl-inference images or images of its own name)
LARGE_MODEL_IMAGES = (
    ("djl-inference", "LMI (DJL Serving)"),
    ("tgi-inference", "Hugging Face TGI"),
    ("text-generation-inference", "Hugging Face TGI"),
    ("vllm", "vLLM"),
    ("tensorrt-llm", "TensorRT-LLM"),
    ("tensorrtllm", "TensorRT-LLM"),
    ("trtllm", "TensorRT-LLM"),
)


def _repository(image: str) -> str:
    """The repository name of an image URI: ``<registry>/<repo>:<tag>`` -> ``<repo>`` (lower case)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def large_model_image(image: Optional[str]) -> Optional[str]:
    """The kind of large-model serving image ``image`` is, else None."""
    if not image:
        return None
    repo = _repository(image)
    for mark, kind in LARGE_MODEL_IMAGES:
        if mark in repo:
            return kind
    return None


def uncompressed_weights(container: dict) -> bool:
    source = container.get("ModelDataSource")
    s3 = source.get("S3DataSource") if isinstance(source, dict) else None
    return isinstance(s3, dict) and as_str(s3.get("CompressionType")) == "None"


def large_model_reason(model: SageMakerModel) -> Optional[str]:
    """Why ``model`` is a large model to load, in a few words, else None."""
    for _, container in model.containers():
        kind = large_model_image(as_str(container.get("Image")))
        if kind:
            return f"its container image is {kind}"
        if uncompressed_weights(container):
            return "its weights are an uncompressed S3 prefix (CompressionType None)"
    return None


def gpu_count(instance_type: Optional[str]) -> Optional[int]:
    """NVIDIA GPUs of ``instance_type`` (0 for a type without), None when unknown."""
    it = catalog.get(instance_type)
    return None if it is None else it.accelerator_count("nvidia.com/gpu")


def neuron_capacity(instance_type: Optional[str]) -> Optional[tuple[int, int]]:
    """(Neuron devices, NeuronCores) of ``instance_type``, None when it has none or they are unknown."""
    it = catalog.get(instance_type)
    if it is None:
        return None
    devices = it.accelerator_count("aws.amazon.com/neuron")
    cores = it.accelerator_count(catalog.NEURONCORE)
    if not devices or not cores:
        return None
    return devices, cores


def memory_mib(instance_type: Optional[str]) -> Optional[int]:
    it = catalog.get(instance_type)
    return None if it is None else it.memory_mib
