"""Build a deterministic benchmark corpus from the shapes in examples/ and ../shared/corpus/.

Documents are taken as text (comments kept), renamed so every object is
unique, their instance types varied, and grouped one to four per YAML file;
JSON documents stay one per file. A fixed share of the documents (every tenth)
is a GPU Deployment that carries a finding, so the reporting path is
exercised as it is in a real repository.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED_DIRS = [os.path.join(REPO, "examples"), os.path.join(REPO, "..", "shared", "corpus")]
FINDING_SHARE = 0.10

GPU_TYPES = ["g5.xlarge", "g5.2xlarge", "g5.12xlarge", "g6.xlarge", "g6e.2xlarge", "p4d.24xlarge", "p5.48xlarge",
             "g4dn.xlarge", "inf2.xlarge", "trn1.32xlarge"]
_TYPE_RE = re.compile(r"\b(?:ml\.)?(?:g4dn|g5|g6e?|p4de?|p5e?n?|inf[12]|trn1n?)\.\d*x?large\b")
_NAME_RE = re.compile(r"^(\s*name:\s*)([A-Za-z0-9][\w.\-]*)\s*$", re.MULTILINE)
_SEP = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)

FINDING_DOC = """\
# A GPU server whose request and limit disagree (seeded finding {i}).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: seeded-{i}
  labels: {{app: seeded-{i}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: seeded-{i}}}
  template:
    metadata:
      labels: {{app: seeded-{i}}}
    spec:
      nodeSelector:
        node.kubernetes.io/instance-type: {itype}
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests:
              nvidia.com/gpu: 1   # the limit says 2
              cpu: "4"
            limits:
              nvidia.com/gpu: 2
"""


def _seed_documents() -> tuple[list[str], list[str]]:
    """(YAML document texts, JSON file texts) from the seed folders, sorted for determinism."""
    import yaml

    yaml_docs: list[str] = []
    json_docs: list[str] = []
    for top in SEED_DIRS:
        if not os.path.isdir(top):
            continue
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    text = open(path, encoding="utf-8").read()
                except (OSError, UnicodeDecodeError):
                    continue
                if name.endswith(".json"):
                    try:
                        json.loads(text)
                    except ValueError:
                        continue
                    json_docs.append(text)
                elif name.endswith((".yaml", ".yml")):
                    for part in _SEP.split(text):
                        if not part.strip():
                            continue
                        try:
                            data = yaml.load(part, Loader=yaml.CSafeLoader)
                        except yaml.YAMLError:
                            continue
                        if isinstance(data, dict) and data:
                            yaml_docs.append(part.strip("\n") + "\n")
    return yaml_docs, json_docs


def _vary(text: str, i: int, rng: random.Random) -> str:
    text = _NAME_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}-b{i}", text, count=1)
    return _TYPE_RE.sub(lambda m: ("ml." if m.group().startswith("ml.") else "") + rng.choice(GPU_TYPES), text)


def _vary_json(text: str, i: int) -> str:
    data = json.loads(text)
    if isinstance(data, dict):
        for key in list(data):
            if key.endswith("Name") and isinstance(data[key], str):
                data[key] = f"{data[key]}-b{i}"
    return json.dumps(data, indent=2) + "\n"


def _seeded(index: int) -> bool:
    """Document ``index`` is a seeded finding: exactly one in every 1 / FINDING_SHARE."""
    every = round(1 / FINDING_SHARE)
    return index % every == every - 1


def build_corpus(folder: str, n: int, seed: int = 42) -> dict:
    """Write ``n`` documents under ``folder`` (replaced if present); return counts."""
    rng = random.Random(seed)
    yaml_docs, json_docs = _seed_documents()
    if not yaml_docs:
        yaml_docs = [FINDING_DOC.format(i=0, itype="g5.xlarge")]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    stats = {"files": 0, "documents": 0, "bytes": 0, "with_findings": 0}
    json_share = len(json_docs) / (len(json_docs) + len(yaml_docs)) if json_docs else 0.0
    i = 0
    file_no = 0
    while i < n:
        sub = os.path.join(folder, f"team{file_no % 20:02d}")
        os.makedirs(sub, exist_ok=True)
        if json_docs and rng.random() < json_share and not _seeded(i):
            text = _vary_json(json_docs[i % len(json_docs)], i)
            path = os.path.join(sub, f"doc{file_no:05d}.json")
            count = 1
        else:
            count = min(rng.randint(1, 4), n - i)
            parts = []
            for k in range(count):
                if _seeded(i + k):
                    parts.append(FINDING_DOC.format(i=i + k, itype=rng.choice(GPU_TYPES)))
                    stats["with_findings"] += 1
                else:
                    parts.append(_vary(yaml_docs[(i + k) % len(yaml_docs)], i + k, rng))
            text = "---\n".join(parts)
            path = os.path.join(sub, f"doc{file_no:05d}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        stats["files"] += 1
        stats["documents"] += count
        stats["bytes"] += len(text.encode())
        i += count
        file_no += 1
    return stats


# --------------------------------------------------------------------------- unrelated Python

PYTHON_MODULE = '''\
"""Module {i}: request handling for service {name} (generated for the benchmark)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Optional

LOG = logging.getLogger(__name__)
LIMIT_{i} = {limit}
TIMEOUT = {timeout}


@dataclass
class Record{i}:
    key: str
    value: float = 0.0
    tags: list[str] = field(default_factory=list)

    def score(self, weight: float = 1.5) -> float:
        return sum(len(t) for t in self.tags) * weight + self.value


def load_{name}(path: str) -> list[Record{i}]:
    """Read records from a JSON lines file."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            out.append(Record{i}(data["key"], float(data.get("value", 0)), list(data.get("tags", []))))
    return out


def summarise_{name}(records: list[Record{i}], top: int = {top}) -> dict[str, Any]:
    ranked = sorted(records, key=lambda r: r.score(), reverse=True)[:top]
    return {{
        "count": len(records),
        "top": [r.key for r in ranked],
        "mean": sum(r.value for r in records) / max(len(records), 1),
        "env": os.environ.get("STAGE_{i}", "dev"),
    }}


class Handler{i}:
    def __init__(self, root: str, retries: int = {retries}) -> None:
        self.root = root
        self.retries = retries
        self.cache: dict[str, Optional[dict]] = {{}}

    def handle(self, name: str) -> Optional[dict]:
        if name in self.cache:
            return self.cache[name]
        for attempt in range(self.retries):
            try:
                result = summarise_{name}(load_{name}(os.path.join(self.root, name)))
            except (OSError, ValueError) as exc:
                LOG.warning("attempt %d for %s failed: %s", attempt, name, exc)
                continue
            self.cache[name] = result
            return result
        return None
'''


def add_unrelated_python(folder: str, count: int = 1000, seed: int = 42) -> dict:
    """Write ``count`` ordinary Python modules (none mentions the AWS SDKs gpulint reads) under
    ``folder/app/``; return counts. Added beside a YAML corpus, they measure what Python files
    that gpulint has no reason to parse cost a run."""
    rng = random.Random(seed)
    root = os.path.join(folder, "app")
    stats = {"files": 0, "bytes": 0}
    for i in range(count):
        sub = os.path.join(root, f"pkg{i % 25:02d}")
        os.makedirs(sub, exist_ok=True)
        text = PYTHON_MODULE.format(i=i, name=f"svc{i}", limit=rng.randint(10, 10_000), timeout=rng.randint(1, 120),
                                    top=rng.randint(3, 20), retries=rng.randint(1, 5))
        with open(os.path.join(sub, f"mod{i:04d}.py"), "w", encoding="utf-8") as fh:
            fh.write(text)
        stats["files"] += 1
        stats["bytes"] += len(text.encode())
    return stats
