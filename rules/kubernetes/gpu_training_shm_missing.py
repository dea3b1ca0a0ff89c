"""The rule gpu-training-shm-missing (GPU108): a multi-GPU distributed PyTorch training container
runs with the container runtime's 64 MiB ``/dev/shm``."""

from __future__ import annotations

import os
import re
import shlex
from typing import Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import is_placeholder
from gpulint.model.kubernetes import ContainerRef, PodTemplate, Workload, merged, role_prefix

#: the GPU resources whose devices one PyTorch process each drives (NCCL on NVIDIA, RCCL on AMD)
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
#: CRI-O's pod annotation that sizes /dev/shm (where the runtime allows it)
CRIO_SHM_ANNOTATION = "io.kubernetes.cri-o.ShmSize"
_SHELLS = {"sh", "bash", "dash", "zsh", "ash"}
_PREFIXES = {"exec", "nohup", "time", "env", "sudo", "then", "do", "else", "{", "(", "!"}
_SPLIT = re.compile(r"&&|\|\||[;|\n]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^python[0-9.]*$")
_MODULES = ("torch.distributed.run", "torch.distributed.launch")
#: flags that set how many processes a launcher starts per node
_PER_NODE = ("--nproc_per_node", "--nproc-per-node", "--num_processes", "--num-processes", "--num_gpus",
             "--num-gpus")


@register
class GpuTrainingShmMissing(Rule):
    """## What it does
    Flags a container that runs distributed PyTorch training on two or more GPUs
    of its own and has no ``/dev/shm`` mount, so it gets the container runtime's
    64 MiB default.

    Distributed PyTorch training is a container whose command and arguments
    start a launcher (``torchrun``, ``python -m torch.distributed.run`` or
    ``torch.distributed.launch``, ``deepspeed``, ``accelerate launch``; also as a
    command of a ``sh -c`` / ``bash -c`` script), or any container of a Kubeflow
    ``PyTorchJob``. The GPU count is the container's own (its
    ``nvidia.com/gpu`` or ``amd.com/gpu`` limit, else request): a launcher
    starts one process per GPU it sees, and those processes share tensors,
    DataLoader batches and NCCL buffers through ``/dev/shm``. GPUs in separate
    containers or pods are not summed: processes in different pods do not share
    a ``/dev/shm``.

    Not reported: a container with a volume mounted at ``/dev/shm`` (a memory
    ``emptyDir``, a ``hostPath``, anything), a pod with ``hostIPC: true`` (the
    node's ``/dev/shm``), a pod template annotated with CRI-O's
    ``io.kubernetes.cri-o.ShmSize``, a launcher told to start one process per
    node (``--nproc_per_node=1``, ``--num_processes 1``, ``--num_gpus 1``), a
    GPU count that is not a known whole number, a script gpulint cannot read
    (``./train.sh``), and a pod spec merged over a base gpulint cannot see (a
    kustomize patch). MPI jobs and Neuron devices are not covered.

    ## Why is this bad?
    Kubernetes gives every pod the container runtime's ``/dev/shm``, a 64 MiB
    tmpfs (containerd's and Docker's default), and has no field to size it.
    PyTorch's DataLoader workers pass batches through shared memory and NCCL
    uses it between the processes of one node; with 64 MiB, training fails with
    ``ERROR: Unexpected bus error encountered in worker. This might be caused by
    insufficient shared memory (shm)`` or NCCL errors, often only once batches
    grow. PyTorch's own documentation asks for a larger ``--shm-size`` or
    ``--ipc=host``; on Kubernetes the equivalent is a memory-backed ``emptyDir``
    mounted at ``/dev/shm``.

    ## Example
    ```yaml
    containers:
      - name: trainer
        command: ["torchrun", "--nproc-per-node=8", "train.py"]
        resources:
          limits: {nvidia.com/gpu: 8}
    ```

    ## Use instead
    ```yaml
    containers:
      - name: trainer
        command: ["torchrun", "--nproc-per-node=8", "train.py"]
        resources:
          limits: {nvidia.com/gpu: 8}
        volumeMounts:
          - {name: dshm, mountPath: /dev/shm}
    volumes:
      - name: dshm
        emptyDir: {medium: Memory, sizeLimit: 64Gi}
    ```

    A memory ``emptyDir`` counts against the container's memory limit; size it
    with ``sizeLimit``.

    ## Fix safety
    No automatic fix: the size the job needs is not in the file.

    ## References
    - https://github.com/pytorch/pytorch#docker-image (shared memory for
      multiprocessing and data loaders; ``--ipc=host`` or ``--shm-size``)
    - https://github.com/pytorch/tutorials/pull/2475 (NCCL segfaults in ``ncclShmOpen``
      under ``nn.DataParallel`` in a container with the default shared memory; fixed
      with ``--shm-size=2gb``)
    - https://kubernetes.io/docs/concepts/storage/volumes/#emptydir (``medium: Memory``)
    - https://github.com/containerd/containerd (CRI plugin: ``defaultShmSize``, 64 MiB, the
      size of the pod sandbox's ``/dev/shm``); https://docs.docker.com/reference/cli/docker/container/run/
      (``--shm-size``, default 64 MB)
    - gpulint domain facts, section 1.3 (PyTorchJob pod templates)
    """

    code = "GPU108"
    name = "gpu-training-shm-missing"
    severity = Severity.INFO
    summary = "A multi-GPU distributed PyTorch training container has no memory-backed /dev/shm"
    domain = "kubernetes"
    targets = (Workload,)
    source_url = "https://github.com/pytorch/pytorch#docker-image"

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        pytorch_job = obj.kind == "PyTorchJob" and obj.group == "kubeflow.org"
        for t in obj.templates:
            if _shm_sized(t) or merged(obj, t, ctx.project):
                continue
            for c in t.containers(include_init=False):
                gpus = _gpus(c)
                if gpus is None or gpus < 2 or _mounts_shm(c) is not False:
                    continue
                launcher = launcher_of(c)
                if launcher is None and not pytorch_job:
                    continue
                how = f"runs {launcher}" if launcher else "runs PyTorchJob training"
                path = c.path + (("command",) if c.spec.command else ("args",) if c.spec.args else ())
                yield Finding(
                    path,
                    f"{obj.display()}: {role_prefix(t)}{c.label} {how} on {gpus} GPUs with no volume at /dev/shm, "
                    f"so it gets the runtime's 64 MiB; DataLoader workers and NCCL fail on it (bus error): mount "
                    f"an emptyDir with medium: Memory at /dev/shm",
                )


def _shm_sized(t: PodTemplate) -> bool:
    """The pod's /dev/shm is not the runtime's default: the node's (hostIPC), or sized by CRI-O."""
    host_ipc = t.spec.hostIPC
    return host_ipc is True or is_placeholder(host_ipc) or CRIO_SHM_ANNOTATION in t.annotations


def _gpus(c: ContainerRef) -> Optional[int]:
    """GPUs the container has (None: unknown)."""
    total = 0
    for resource in GPU_RESOURCES:
        if resource not in c.accelerators():
            continue
        n = c.accelerator_count(resource)
        if n is None:
            return None
        total += n
    return total


def _mounts_shm(c: ContainerRef) -> Optional[bool]:
    """Does the container mount something at /dev/shm (or above it)? None when a path is unknown."""
    for m in c.spec.volumeMounts or []:
        path = m.mountPath
        if not isinstance(path, str) or is_placeholder(path):
            return None
        norm = os.path.normpath(path.strip())
        if norm in ("/dev/shm", "/dev", "/"):
            return True
    return False


def launcher_of(c: ContainerRef) -> Optional[str]:
    """The distributed PyTorch launcher the container's command starts (e.g. ``torchrun``), if any."""
    argv = [str(v) for v in (c.spec.command or []) + (c.spec.args or []) if v is not None]
    if not argv:
        return None
    if os.path.basename(argv[0]) in _SHELLS:
        for i, arg in enumerate(argv[1:-1], 1):
            if re.fullmatch(r"-[a-z]*c[a-z]*", arg):
                return _script_launcher(argv[i + 1])
        return None
    return _launcher(argv)


def _script_launcher(script: str) -> Optional[str]:
    script = script.replace("\\\n", " ")
    for part in _SPLIT.split(script):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            words = part.split()
        found = _launcher(words)
        if found:
            return found
    return None


def _launcher(words: list[str]) -> Optional[str]:
    while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if not words:
        return None
    command = os.path.basename(words[0])
    rest = words[1:]
    found: Optional[str] = None
    if command in ("torchrun", "deepspeed"):
        found = command
    elif command == "accelerate" and rest[:1] == ["launch"]:
        found = "accelerate launch"
    elif _PYTHON.match(command) and "-m" in rest:
        module = rest[rest.index("-m") + 1] if rest.index("-m") + 1 < len(rest) else ""
        if module in _MODULES:
            found = f"python -m {module}"
    if found is None or _one_process(rest):
        return None
    return found


def _one_process(words: list[str]) -> bool:
    """The launcher is told to start a single process per node."""
    for i, w in enumerate(words):
        flag, _, value = w.partition("=")
        if flag in _PER_NODE:
            if not value and i + 1 < len(words):
                value = words[i + 1]
            if value.strip() in ("1", "'1'", '"1"'):
                return True
    return False
