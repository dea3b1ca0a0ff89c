"""Karpenter EC2NodeClasses are read into the cluster model, and a NodePool resolves the class its
nodeClassRef names (own folder, then the folders above it; or what context declares)."""

from __future__ import annotations

import pytest

from gpulint.config import from_mapping
from gpulint.engine.run import lint_paths


def nodepool(name: str = "gpu", ref: str = "gpu", v1: bool = True) -> str:
    api = "karpenter.sh/v1" if v1 else "karpenter.sh/v1beta1"
    group = "group: karpenter.k8s.aws" if v1 else "apiVersion: karpenter.k8s.aws/v1beta1"
    return (f"apiVersion: {api}\nkind: NodePool\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n"
            f"      nodeClassRef: {{{group}, kind: EC2NodeClass, name: {ref}}}\n      requirements:\n"
            f"        - {{key: karpenter.k8s.aws/instance-family, operator: In, values: [g5]}}\n")


def nodeclass(name: str = "gpu", spec: str = "amiSelectorTerms: [{alias: al2023@latest}]",
              v1: bool = True) -> str:
    api = "karpenter.k8s.aws/v1" if v1 else "karpenter.k8s.aws/v1beta1"
    return f"apiVersion: {api}\nkind: EC2NodeClass\nmetadata: {{name: {name}}}\nspec:\n  {spec}\n  role: KarpenterNodeRole\n"


def family_of(tmp_path, files: dict, config=None) -> object:
    import pathlib
    import tempfile

    from gpulint.model.cluster import NodePool, node_class_for

    root = pathlib.Path(tempfile.mkdtemp(dir=tmp_path))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if config is not None:
        config = from_mapping(config, str(root / ".gpulint.yaml"))
    result = lint_paths([str(root)], config=config)
    [pool] = [p for p in result.project.of_type(NodePool) if p.name == "gpu"]
    found = node_class_for(result.project, pool, config)
    return found.family if found is not None else "unresolved"


@pytest.mark.parametrize("spec, family", [
    ("amiSelectorTerms: [{alias: al2023@latest}]", "AL2023"),
    ("amiSelectorTerms: [{alias: bottlerocket@latest}]", "Bottlerocket"),
    ("amiSelectorTerms: [{alias: al2@v20240807}]", "AL2"),
    ("amiFamily: AL2023\n  amiSelectorTerms: [{id: ami-0123456789abcdef0}]", "AL2023"),
    ("amiSelectorTerms: [{id: ami-0123456789abcdef0}]", None),  # a custom AMI: family unknown
    ("amiSelectorTerms: [{alias: al2023@latest}, {alias: bottlerocket@latest}]", None),
    ("amiFamily: Custom\n  amiSelectorTerms: [{alias: bottlerocket@latest}]", None),  # its own bootstrap
    ("amiFamily: AL2023\n  amiSelectorTerms: [{alias: al2023@latest}]", "AL2023"),
    ("amiSelectorTerms: [{alias: \"${AMI_ALIAS}\"}]", None),
])
def test_a_v1_nodepool_resolves_its_class_ami_family(tmp_path, spec, family) -> None:
    assert family_of(tmp_path, {"pool.yaml": nodepool(), "class.yaml": nodeclass(spec=spec)}) == family


def test_a_v1beta1_nodepool_resolves_its_class_ami_family(tmp_path) -> None:
    files = {"pool.yaml": nodepool(v1=False), "class.yaml": nodeclass(spec="amiFamily: Bottlerocket", v1=False)}
    assert family_of(tmp_path, files) == "Bottlerocket"


def test_the_class_is_found_in_the_same_document_stream_and_ancestor_folders(tmp_path) -> None:
    assert family_of(tmp_path, {"both.yaml": nodepool() + "---\n" + nodeclass()}) == "AL2023"
    assert family_of(tmp_path, {"a/b/pool.yaml": nodepool(), "class.yaml": nodeclass()}) == "AL2023"


def test_the_nearest_class_of_that_name_wins(tmp_path) -> None:
    files = {"a/pool.yaml": nodepool(), "a/class.yaml": nodeclass(spec="amiFamily: Bottlerocket"),
             "class.yaml": nodeclass()}
    assert family_of(tmp_path, files) == "Bottlerocket"


def test_classes_in_a_sibling_folder_or_of_another_name_are_not_joined(tmp_path) -> None:
    assert family_of(tmp_path, {"a/pool.yaml": nodepool(), "b/class.yaml": nodeclass()}) == "unresolved"
    assert family_of(tmp_path, {"pool.yaml": nodepool(ref="other"), "class.yaml": nodeclass()}) == "unresolved"


def test_two_classes_of_the_name_at_one_level_are_ambiguous(tmp_path) -> None:
    files = {"pool.yaml": nodepool(), "one.yaml": nodeclass(), "two.yaml": nodeclass(spec="amiFamily: AL2")}
    assert family_of(tmp_path, files) == "unresolved"


def test_the_class_written_with_the_pool_wins_over_others_in_its_folder(tmp_path) -> None:
    files = {"pool.yaml": nodepool() + "---\n" + nodeclass(spec="amiFamily: AL2"), "two.yaml": nodeclass()}
    assert family_of(tmp_path, files) == "AL2"


def test_context_declares_the_class_file(tmp_path) -> None:
    files = {"apps/pool.yaml": nodepool(), "clusters/prod/class.yaml": nodeclass(spec="amiFamily: AL2"),
             "clusters/staging/class.yaml": nodeclass()}
    config = {"context": {"apps/**": ["clusters/prod/*.yaml"]}}
    assert family_of(tmp_path, files, config) == "AL2"
    assert family_of(tmp_path, files) == "unresolved"
