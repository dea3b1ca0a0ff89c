"""Which container commands gpu-training-shm-missing reads as a distributed PyTorch launcher."""

from __future__ import annotations

import pytest

from gpulint.model.kubernetes import Container, ContainerRef
from gpulint.rules.kubernetes.gpu_training_shm_missing import launcher_of


def _ref(command: list | None = None, args: list | None = None) -> ContainerRef:
    return ContainerRef(("containers", 0), Container(name="c", command=command, args=args))


@pytest.mark.parametrize("command, args, expected", [
    (["torchrun", "--nproc-per-node=8", "train.py"], None, "torchrun"),
    (["/opt/conda/bin/torchrun"], ["--nnodes=2", "train.py"], "torchrun"),
    (["python3", "-u", "-m", "torch.distributed.run", "train.py"], None, "python -m torch.distributed.run"),
    (["python", "-m", "torch.distributed.launch", "--nproc_per_node", "4", "train.py"], None,
     "python -m torch.distributed.launch"),
    (None, ["deepspeed", "--num_gpus", "8", "train.py"], "deepspeed"),
    (["accelerate", "launch", "--multi_gpu", "train.py"], None, "accelerate launch"),
    (["/bin/bash", "-lc", "cd /w && NCCL_DEBUG=INFO exec torchrun train.py"], None, "torchrun"),
    (["sh", "-c"], ["pip install -r r.txt; \\\n  deepspeed train.py"], "deepspeed"),
    (["bash", "-c", "echo 'unbalanced && torchrun train.py"], None, "torchrun"),
    # not a launcher, or one process per node
    (["python", "train.py", "--deepspeed", "ds.json"], None, None),
    (["sh", "-c", "pip install deepspeed accelerate && python train.py"], None, None),
    (["accelerate", "config"], None, None),
    (["python", "-m", "torch.utils.collect_env"], None, None),
    (["torchrun", "--nproc_per_node=1", "train.py"], None, None),
    (["accelerate", "launch", "--num_processes", "1", "train.py"], None, None),
    (["./torchrun.sh"], None, None),
    (["bash", "-c"], None, None),
    (None, None, None),
])
def test_launcher(command: list | None, args: list | None, expected: str | None) -> None:
    assert launcher_of(_ref(command, args)) == expected
