"""The budget gate fails closed: what it cannot count makes it fail, never pass.

Negative and non-finite capacities, resources without a price, estimates that
fail, and price files that are not what they claim to be: each case is run
through ``gpulint cost --budget`` and through a lint run with ``budget:`` in
the config, and checked for its exit status and its exact message.
"""

from __future__ import annotations

import json
import os

import pytest
from helpers import run_cli

from gpulint.cost import pricing


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No network, and no AWS region from the machine."""
    import socket

    def refuse(self, address, *args, **kwargs):  # noqa: ANN001, ANN202
        raise AssertionError(f"a test tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.path.join(os.sep, "nonexistent", "aws-config"))


def write(folder, name: str, text: str) -> str:
    path = os.path.join(str(folder), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def lint(folder, *argv: str) -> tuple[int, list[tuple[str, int, str, str]]]:
    """A lint run in ``folder`` (JSON): exit status and (file, line, rule, message) of each finding."""
    status, out, _ = run_cli(["--format", "json", *argv, "."], cwd=str(folder))
    return status, [(d["file"], d["line"], d["rule"], d["message"]) for d in json.loads(out)]


def cost(folder, *argv: str) -> tuple[int, list[str], str]:
    """``gpulint cost`` in ``folder``: exit status, the diagnostic lines after the table, stderr."""
    status, out, err = run_cli(["cost", *argv, "."], cwd=str(folder))
    lines = [line for line in out.splitlines() if ": error " in line or ": warning " in line]
    return status, lines, err


P4D = 21.957642  # us-east-1, snapshot: karpenter-provider-aws (2026-02-09)

CLUSTER = """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: ml
  region: {region}
managedNodeGroups:
  - name: big
    instanceType: p4d.24xlarge
    minSize: 0
    maxSize: 4
"""

NEGATIVE = CLUSTER + """  - name: neg
    instanceType: p4d.24xlarge
    minSize: 0
    maxSize: -4
"""


# --------------------------------------------------------------------------- negative capacities


def test_a_negative_size_never_lowers_the_total(tmp_path) -> None:
    write(tmp_path, "c.yaml", NEGATIVE.format(region="us-east-1"))
    status, lines, _ = cost(tmp_path, "--budget", "70000")
    big = round(4 * P4D * 730, 2)
    assert big == 64116.31
    # before: neg counted -$64,116.31 and the total was $0.00, within any budget
    assert status == 1
    assert lines == [
        "c.yaml:12:19: warning cost-unpriced the cost of nodegroup neg at max capacity is not known: sizes are "
        "not whole numbers of zero or more; the total held to the budget of $70,000.00 a month leaves it out",
    ]
    _, out, _ = run_cli(["cost", "--budget", "70000", "."], cwd=str(tmp_path))
    assert "Total at max capacity: $64,116.31 a month (within the budget of $70,000.00 for what could be " \
           "costed)" in out
    status, lines, _ = cost(tmp_path, "--budget", "1000")
    assert status == 1
    assert lines[-1].startswith("c.yaml:8:19: error cost-budget-exceeded estimated cost at max capacity is "
                                "$64,116.31 a month, above the budget of $1,000.00")


def test_a_negative_size_in_a_lint_run(tmp_path) -> None:
    write(tmp_path, "c.yaml", NEGATIVE.format(region="us-east-1"))
    write(tmp_path, ".gpulint.yaml", "budget: 70000\n")
    status, found = lint(tmp_path)
    assert status == 1
    assert [(f, line, rule) for f, line, rule, _ in found] == [
        ("c.yaml", 12, "cost-unpriced"), ("c.yaml", 14, "nodegroup-size-invalid")]
    assert found[1][3] == "managed nodegroup 'neg' has maxSize -4; sizes cannot be negative"


NODEPOOL = """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {{name: gpu}}
spec:
  template:
    spec:
      taints:
        - {{key: nvidia.com/gpu, value: "true", effect: NoSchedule}}
      requirements:
        - {{key: node.kubernetes.io/instance-type, operator: In, values: [p4d.24xlarge]}}
  limits:
    {limit}
"""


@pytest.mark.parametrize("limit, shown, column", [
    ("nvidia.com/gpu: -8", "-8", 21), ("nvidia.com/gpu: '-8'", "'-8'", 21), ("cpu: .nan", "nan", 10),
    ("cpu: .inf", "inf", 10),
])
def test_a_negative_or_non_finite_nodepool_limit_is_a_schema_violation(tmp_path, limit: str, shown: str,
                                                                       column: int) -> None:
    write(tmp_path, "np.yaml", NODEPOOL.format(limit=limit))
    write(tmp_path, ".gpulint.yaml", "budget: 1000\n")
    key = limit.split(":")[0]
    violation = f"'spec.limits.{key}': a limit must be a finite quantity of zero or more, found {shown}"
    unpriced = ("the cost of nodepool gpu at max capacity is not known: spec.limits do not bound p4d.24xlarge ("
                f"{key} is not a finite quantity of zero or more); the total held to the budget of $1,000.00 a "
                "month leaves it out")
    # before: .nan raised in the estimate, the gate was skipped with a note and the run passed
    status, found = lint(tmp_path)
    assert status == 1
    assert found == [("np.yaml", 10, "cost-unpriced", unpriced), ("np.yaml", 12, "schema-violation", violation)]
    status, lines, err = cost(tmp_path)
    assert status == 1 and "internal error" not in err
    assert lines == [f"np.yaml:12:{column}: error schema-violation {violation}",
                     f"np.yaml:10:11: warning cost-unpriced {unpriced}"]


def test_a_valid_limit_next_to_a_bad_one_still_bounds_the_pool(tmp_path) -> None:
    write(tmp_path, "np.yaml", NODEPOOL.format(limit="cpu: .nan\n    nodes: 2"))
    status, lines, _ = cost(tmp_path, "--budget", "1000000")
    # nodes: 2 is a bound whatever cpu says: 2 x p4d.24xlarge
    assert status == 1  # the schema violation still fails the gate
    assert lines == ["np.yaml:12:10: error schema-violation 'spec.limits.cpu': a limit must be a finite quantity "
                     "of zero or more, found nan"]
    _, out, _ = run_cli(["cost", "--format", "json", "."], cwd=str(tmp_path))
    assert json.loads(out)["totals"]["total_max"] == round(2 * P4D * 730, 2)


def test_a_size_that_drops_a_nodegroup_from_the_model_fails_the_gate(tmp_path) -> None:
    """``maxSize: .nan`` is no integer: the nodegroup is not modelled at all, so nothing would count it."""
    write(tmp_path, "c.yaml", CLUSTER.format(region="us-east-1").replace("maxSize: 4", "maxSize: .nan"))
    status, lines, _ = cost(tmp_path, "--budget", "1000")
    assert status == 1
    assert lines == ["c.yaml:10:14: error schema-violation 'managedNodeGroups[0].maxSize': expected an integer, "
                     "found nan"]
    # without a budget the table is only informative, as before
    status, _, _ = cost(tmp_path)
    assert status == 0


SAGEMAKER = {
    "EndpointConfigName": "llm",
    "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.g5.2xlarge",
                            "InitialInstanceCount": 1}],
}
TARGET = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/llm/variant/AllTraffic",
          "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": 1, "MaxCapacity": -40}


def test_a_negative_scalable_target_is_not_replaced_by_the_initial_count(tmp_path) -> None:
    write(tmp_path, "endpoint-config.json", json.dumps(SAGEMAKER, indent=2))
    write(tmp_path, "target.json", json.dumps(TARGET, indent=2))
    status, lines, _ = cost(tmp_path, "--budget", "100000")
    # before: MaxCapacity -40 was skipped and the variant costed at InitialInstanceCount 1
    assert status == 1
    assert lines == [
        "endpoint-config.json:7:23: warning cost-unpriced the cost of endpoint-variant llm/AllTraffic at max "
        "capacity is not known: no maximum instance count gpulint can read; the total held to the budget "
        "of $100,000.00 a month leaves it out"]


def test_a_negative_training_runtime_is_not_a_negative_cost(tmp_path) -> None:
    job = {"TrainingJobName": "t", "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
           "RoleArn": "arn:aws:iam::123456789012:role/r", "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
           "ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50},
           "StoppingCondition": {"MaxRuntimeInSeconds": -86400}}
    write(tmp_path, "job.json", json.dumps(job, indent=2))
    write(tmp_path, ".gpulint.yaml", "budget: 100\n")
    status, found = lint(tmp_path)
    # before: -86400 s made the run cost -$1,833.23, under any budget
    assert status == 1
    assert found == [
        ("job.json", 12, "cost-unpriced",
         "the cost of training-job t at max capacity is not known: its MaxRuntimeInSeconds is not a whole "
         "number of seconds; the total held to the budget of $100.00 a month leaves it out"),
        ("job.json", 17, "schema-violation", "'StoppingCondition.MaxRuntimeInSeconds': -86400 is below the minimum 1"),
    ]


# --------------------------------------------------------------------------- resources without a price


def test_a_region_without_prices_is_a_finding_not_zero_dollars(tmp_path) -> None:
    write(tmp_path, "c.yaml", CLUSTER.format(region="sa-east-1"))
    message = ("the cost of nodegroup big at max capacity is not known: no sa-east-1 price for p4d.24xlarge; "
               "the total held to the budget of $1,000.00 a month leaves it out")
    # before: the row was "no price", the total $0.00, and both runs passed
    status, lines, _ = cost(tmp_path, "--budget", "1000")
    assert status == 1
    assert lines == [f"c.yaml:8:19: warning cost-unpriced {message}"]
    write(tmp_path, ".gpulint.yaml", "budget: 1000\n")
    status, found = lint(tmp_path)
    assert (status, found) == (1, [("c.yaml", 8, "cost-unpriced", message)])
    # a warning: a team that gates on errors only says so, and still sees it
    status, found = lint(tmp_path, "--fail-on", "error")
    assert (status, [rule for _, _, rule, _ in found]) == (0, ["cost-unpriced"])
    write(tmp_path, ".gpulint.yaml", "budget: 1000\nfail-on: error\n")
    status, lines, _ = cost(tmp_path)
    assert status == 0 and lines == [f"c.yaml:8:19: warning cost-unpriced {message}"]


def test_an_unpriced_resource_accounted_for_elsewhere_can_be_let_through(tmp_path) -> None:
    write(tmp_path, "c.yaml", CLUSTER.format(region="sa-east-1").replace(
        "instanceType: p4d.24xlarge", "instanceType: p4d.24xlarge  # gpulint: disable=cost-unpriced reserved"))
    write(tmp_path, ".gpulint.yaml", "budget: 1000\n")
    assert lint(tmp_path) == (0, [])
    status, lines, _ = cost(tmp_path)  # gpulint cost reads no suppression comments
    assert status == 1 and [line.split()[2] for line in lines] == ["cost-unpriced"]
    write(tmp_path, ".gpulint.yaml", "budget: 1000\nignore: [cost-unpriced]\n")
    assert cost(tmp_path)[:2] == (0, [])


def test_without_a_budget_nothing_is_reported(tmp_path) -> None:
    write(tmp_path, "c.yaml", CLUSTER.format(region="sa-east-1"))
    status, found = lint(tmp_path)
    assert (status, found) == (0, [])
    status, lines, _ = cost(tmp_path)
    assert (status, lines) == (0, [])


def test_context_files_count_but_are_not_reported_on(tmp_path) -> None:
    write(tmp_path, "cluster/c.yaml", CLUSTER.format(region="sa-east-1"))
    write(tmp_path, "apps/a.yaml", CLUSTER.format(region="us-east-1").replace("name: ml", "name: other"))
    write(tmp_path, ".gpulint.yaml", "budget: 1000000\ncontext: ['cluster/*.yaml']\n")
    status, out, _ = run_cli(["--format", "json", "apps"], cwd=str(tmp_path))
    assert status == 0 and json.loads(out) == []


# --------------------------------------------------------------------------- an estimate that fails


def boom(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201
    raise RuntimeError("estimate broke")


def test_a_resource_whose_estimate_fails_is_an_error(tmp_path, monkeypatch) -> None:
    from gpulint.cost import estimate

    monkeypatch.setattr(estimate, "_resolve_nodepool", boom)
    write(tmp_path, "np.yaml", NODEPOOL.format(limit="nodes: 2"))
    write(tmp_path, ".gpulint.yaml", "budget: 1000000\n")
    message = ("the cost estimate failed for nodepool gpu (RuntimeError), so the budget of $1,000,000.00 a month "
               "cannot be checked")
    status, found = lint(tmp_path)
    assert (status, found) == (1, [("np.yaml", 10, "cost-budget-exceeded", message)])
    status, lines, _ = cost(tmp_path)
    assert (status, lines) == (1, [f"np.yaml:10:11: error cost-budget-exceeded {message}"])


def test_an_estimate_that_fails_as_a_whole_is_an_error(tmp_path, monkeypatch) -> None:
    from gpulint.cost import estimate

    monkeypatch.setattr(estimate, "collect_resources", boom)
    write(tmp_path, "c.yaml", CLUSTER.format(region="us-east-1"))
    write(tmp_path, ".gpulint.yaml", "budget: 1000\n")
    message = "the cost estimate failed for this run (RuntimeError), so the budget of $1,000.00 a month cannot be " \
              "checked"
    # before: a note "cost estimate failed" on standard error, and exit 0
    status, found = lint(tmp_path, "--select", "cost-budget-exceeded")
    assert (status, found) == (1, [("c.yaml", 1, "cost-budget-exceeded", message)])
    status, lines, _ = cost(tmp_path)
    assert (status, lines) == (1, [f"-:1:1: error cost-budget-exceeded {message}"])
    status, out, _ = run_cli(["cost", "--format", "json", "."], cwd=str(tmp_path))
    assert status == 1 and [d["message"] for d in json.loads(out)["diagnostics"]] == [message]


def test_a_failure_in_a_context_file_is_reported_on_a_reported_file(tmp_path, monkeypatch) -> None:
    from gpulint.cost import estimate

    monkeypatch.setattr(estimate, "_resolve_nodepool", boom)
    write(tmp_path, "cluster/np.yaml", NODEPOOL.format(limit="nodes: 2"))
    write(tmp_path, "apps/a.yaml", CLUSTER.format(region="us-east-1"))
    write(tmp_path, ".gpulint.yaml", "budget: 1000000\ncontext: ['cluster/*.yaml']\n")
    status, out, _ = run_cli(["--format", "json", "--select", "cost-budget-exceeded", "apps"], cwd=str(tmp_path))
    assert status == 1
    assert [(d["file"], d["line"], d["rule"]) for d in json.loads(out)] == [
        ("apps/a.yaml", 1, "cost-budget-exceeded")]


# --------------------------------------------------------------------------- the price snapshot


def snapshot_with(tmp_path, price_text: str) -> str:
    text = ('{"tables": [{"service": "ec2", "region": "us-east-1", "market": "on-demand", "source": "test", '
            '"date": "2026-01-01", "prices": {"p4d.24xlarge": ' + price_text + '}}]}')
    return write(tmp_path, "prices.json", text)


@pytest.mark.parametrize("price, why", [
    ("-21.9", "tables[0].prices: 1 price(s) not a finite number of zero or more"),
    ("1e999", "tables[0].prices: 1 price(s) not a finite number of zero or more"),
    ("NaN", "NaN is not a number JSON allows"),
    ('"21.9"', "tables[0].prices: 1 price(s) not a finite number of zero or more"),
])
def test_a_snapshot_with_a_bad_price_is_refused(tmp_path, price: str, why: str) -> None:
    path = snapshot_with(tmp_path / "snap", price)
    write(tmp_path, "c.yaml", CLUSTER.format(region="us-east-1"))
    status, out, err = run_cli(["cost", "--budget", "1000", "--snapshot", path, "."], cwd=str(tmp_path))
    assert (status, out) == (2, "")
    assert err == f"gpulint: the price snapshot {path} is not usable: {why}\n"


def test_a_snapshot_that_is_not_a_regular_file_is_refused(tmp_path) -> None:
    write(tmp_path, "c.yaml", CLUSTER.format(region="us-east-1"))
    fifo = str(tmp_path / "fifo.json")
    os.mkfifo(fifo)
    status, _, err = run_cli(["cost", "--snapshot", fifo, "."], cwd=str(tmp_path))
    assert (status, err) == (2, f"gpulint: the price snapshot {fifo} is not usable: a named pipe (FIFO), not a "
                                "regular file; refusing to read it\n")
    status, _, err = run_cli(["cost", "--snapshot", os.devnull, "."], cwd=str(tmp_path))
    assert (status, err) == (2, f"gpulint: the price snapshot {os.devnull} is not usable: a character device, "
                                "not a regular file; refusing to read it\n")


def test_a_broken_shipped_snapshot_fails_the_lint_gate(tmp_path, monkeypatch) -> None:
    path = snapshot_with(tmp_path / "snap", "-1")
    monkeypatch.setattr(pricing, "snapshot_path", lambda: path)
    write(tmp_path, "c.yaml", CLUSTER.format(region="us-east-1"))
    write(tmp_path, ".gpulint.yaml", "budget: 1000\n")
    status, found = lint(tmp_path, "--select", "cost-budget-exceeded")
    assert (status, found) == (1, [("c.yaml", 1, "cost-budget-exceeded",
                                    f"the cost estimate failed for this run (the price snapshot {path} is not "
                                    "usable: tables[0].prices: 1 price(s) not a finite number of zero or more), so "
                                    "the budget of $1,000.00 a month cannot be checked")])


def test_the_shipped_snapshot_passes_its_own_check() -> None:
    data = pricing.load_snapshot()
    pricing.check_snapshot(data)
    assert all(pricing.is_price(p) for t in data["tables"] for p in t["prices"].values())
