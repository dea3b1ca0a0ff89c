"""Python files read through ast: which files are parsed, what is read from them, where findings
point, what --fix may edit, and files built to hang or exhaust the reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from helpers import run_cli

from gpulint.load import load
from gpulint.load import python_ as reader

POLICY = textwrap.dedent("""\
    import boto3

    aas = boto3.client("application-autoscaling")
    aas.put_scaling_policy(
        PolicyName="p", ServiceNamespace="sagemaker", ResourceId="endpoint/e/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0, "ScaleInCooldown": COOLDOWN, "ScaleOutCooldown": 60},
    )
""")


def lint(tmp_path, files: dict[str, str], *args: str) -> tuple[int, list[tuple[str, str, int, int]], str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    status, out, err = run_cli(["--format", "json", *args, "."], cwd=str(tmp_path))
    return status, [(d["file"], d["rule"], d["line"], d["column"]) for d in json.loads(out)], err


# --------------------------------------------------------------------------- which files


def test_a_file_that_mentions_neither_boto3_nor_sagemaker_is_not_parsed(monkeypatch) -> None:
    import ast

    def refuse(*_a, **_k):
        raise AssertionError("parsed")

    monkeypatch.setattr(ast, "parse", refuse)
    source = load("app.py", b"def f(:\n    return put_scaling_policy(ScaleInCooldown=60)\n")
    assert (source.documents, source.error, source.unread) == ([], None, None)


def test_a_file_python_cannot_parse_gets_a_note_not_a_parse_error(tmp_path) -> None:
    status, diags, err = lint(tmp_path, {"old.py": "import boto3\nprint 'python 2'\n"})
    assert (status, diags) == (0, [])
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert err == (f"gpulint: skipped 1 Python file(s) that could not be read, e.g. old.py: Python {version} "
                   "cannot parse it (line 2)\n")


def test_a_python_file_that_is_not_utf8_gets_a_note(tmp_path) -> None:
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport boto3\nname = '\xe9'\n")
    status, out, err = run_cli(["--format", "json", "."], cwd=str(tmp_path))
    assert (status, json.loads(out)) == (0, [])
    assert "skipped 1 Python file(s) that could not be read, e.g. latin.py: file is not valid UTF-8" in err


def test_a_python_run_imports_no_aws_code(tmp_path) -> None:
    (tmp_path / "scale.py").write_text(POLICY.replace("COOLDOWN", "60"))
    driver = ("import io, json, sys\nfrom gpulint.cli import main\n"
              "main(sys.argv[1:], stdout=io.StringIO(), stderr=io.StringIO())\nprint(json.dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", driver, "."], capture_output=True, text=True, check=True, cwd=tmp_path)
    mods = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "gpulint.load.python_.boto" in mods
    assert not {m for m in mods if m.split(".")[0] in ("boto3", "botocore", "ruamel", "sagemaker")}


# --------------------------------------------------------------------------- what is read


def _docs(text: str) -> list:
    return load("x.py", textwrap.dedent(text).encode()).documents


def test_names_bound_once_to_a_literal_are_read_and_others_are_not() -> None:
    docs = _docs("""\
        import boto3
        sm = boto3.client("sagemaker")
        ONE = "ml.g5.xlarge"
        TWO = 1
        TWO = 2
        ITEMS = []
        ITEMS.append({"InstanceType": "ml.g5.xlarge"})
        sm.create_endpoint_config(EndpointConfigName=f"cfg-{ONE}", ProductionVariants=[{"InstanceType": ONE,
            "InitialInstanceCount": TWO}], Tags=ITEMS, KmsKeyId=ONE.upper())
    """)
    assert [d.data for d in docs] == [{
        "EndpointConfigName": "cfg-ml.g5.xlarge",
        "ProductionVariants": [{"InstanceType": "ml.g5.xlarge", "InitialInstanceCount": "${TWO}"}],
        "Tags": "${ITEMS}", "KmsKeyId": "${...}",
    }]
    assert (docs[0].form, docs[0].label) == ("python", "Python create_endpoint_config call")


def test_ambiguous_methods_need_a_known_client() -> None:
    docs = _docs("""\
        import boto3
        def deploy(client, other):
            client.create_model(ModelName="m", PrimaryContainer={"Image": "i"})
            other.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[])
            client.create_endpoint_config("positional", EndpointConfigName="c")
        comprehend = boto3.client("comprehend")
        comprehend.create_endpoint(EndpointName="e", ModelArn="a", DesiredInferenceUnits=1)
        sm = boto3.Session().client("sagemaker")
        sm.create_model(ModelName="m2", PrimaryContainer={"Image": "i"})
        class Deployer:
            def __init__(self):
                self.sm = boto3.client("sagemaker")
            def go(self):
                self.sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    """)
    assert [d.label for d in docs] == ["Python create_endpoint_config call", "Python create_model call", "Python create_endpoint call"]


def test_sdk_classes_count_only_when_imported_from_the_sdk() -> None:
    docs = _docs("""\
        import sagemaker as sm
        from keras import Model
        from sagemaker.huggingface.model import HuggingFaceModel as HF
        Model(name="keras-thing").deploy(instance_type="ml.g5.xlarge", initial_instance_count=1)
        hf = HF(name="chat", env={"HF_MODEL_ID": "m"}, role="r")
        hf.deploy(endpoint_name="chat", instance_type="ml.g5.xlarge", initial_instance_count=1,
                  serverless_inference_config=None, container_startup_health_check_timeout=900)
        sm.estimator.Estimator(image_uri="i", instance_type="ml.g5.xlarge", instance_count=1, **extra)
        sm.serverless.ServerlessInferenceConfig(memory_size_in_mb=4096)
    """)
    assert [(d.label, d.data) for d in docs] == [
        ("Python HuggingFaceModel", {"ModelName": "chat", "PrimaryContainer": {"Image": "${...}", "Environment": {"HF_MODEL_ID": "m"}}}),
        ("Python deploy call", {"EndpointConfigName": "chat", "ProductionVariants": [{
            "ModelName": "chat", "VariantName": "AllTraffic", "InstanceType": "ml.g5.xlarge",
            "InitialInstanceCount": 1, "ContainerStartupHealthCheckTimeoutInSeconds": 900}]}),
    ]


def test_serverless_and_async_deploys() -> None:
    docs = _docs("""\
        from sagemaker.model import Model
        from sagemaker.serverless import ServerlessInferenceConfig
        from sagemaker.async_inference import AsyncInferenceConfig
        m = Model(image_uri="i", name="m")
        cfg = ServerlessInferenceConfig(memory_size_in_mb=4096, max_concurrency=10)
        m.deploy(endpoint_name="a", serverless_inference_config=cfg)
        m.deploy(endpoint_name="b", instance_type="ml.g5.xlarge", initial_instance_count=1,
                 async_inference_config=AsyncInferenceConfig(max_concurrent_invocations_per_instance=4))
    """)
    assert [d.data for d in docs[1:]] == [
        {"EndpointConfigName": "a", "ProductionVariants": [{"ModelName": "m", "VariantName": "AllTraffic",
                                                            "ServerlessConfig": {"MemorySizeInMB": 4096,
                                                                                 "MaxConcurrency": 10}}]},
        {"EndpointConfigName": "b", "ProductionVariants": [{"ModelName": "m", "VariantName": "AllTraffic",
                                                            "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}],
         "AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "${...}"},
                                  "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4}}},
    ]


def test_objects_say_they_came_from_python(tmp_path) -> None:
    from gpulint.config import load_config
    from gpulint.engine.run import lint_paths

    (tmp_path / "scale.py").write_text(POLICY.replace("COOLDOWN", "60"))
    result = lint_paths([str(tmp_path)], load_config(None))
    assert [o.kind for o in result.project.objects] == ["ScalingPolicy (Python put_scaling_policy call)"]


# --------------------------------------------------------------------------- positions and fixes


def test_findings_point_at_the_literal_in_characters_not_bytes(tmp_path) -> None:
    text = POLICY.replace('"TargetValue": 70.0,', '"TargetValue": 70.0, "Ünïcödé": "é",').replace("COOLDOWN", "60")
    status, diags, _ = lint(tmp_path, {"scale.py": text})
    line = text.splitlines()[6]
    assert diags == [("scale.py", "scale-in-cooldown-short", 7, line.index("60") + 1)]
    source = load("scale.py", text.encode())
    span = source.locate(0, ("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown"))
    assert (text[span.start:span.end], span.exact) == ("60", True)


def test_fix_refuses_a_literal_bound_to_a_name_read_twice(tmp_path) -> None:
    # editing the literal would change the other use of the name too
    text = POLICY.replace("aas = ", "COOLDOWN = 60\nOTHER = COOLDOWN\naas = ")
    (tmp_path / "scale.py").write_text(text)
    status, out, err = run_cli(["--fix", "."], cwd=str(tmp_path))
    assert (tmp_path / "scale.py").read_text() == text
    assert status == 1 and "scale-in-cooldown-short" in out


def test_render_writes_python_literals() -> None:
    assert [reader.render(v) for v in (300, True, None, 1.5, 'a"b', [1, "x"], {"k": False})] == \
        ["300", "True", "None", "1.5", '"a\\"b"', '[1, "x"]', '{"k": False}']


# --------------------------------------------------------------------------- hostile files

SECONDS = 10
CAP = 768 << 20


def _cap() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
@pytest.mark.parametrize("name,text,note", [
    ("chain.py", "import boto3\nx = " + "1 + " * 200_000 + "1\n", "nested too deeply"),
    ("nest.py", "import boto3\nx = " + "-" * 1_000_000 + "1\n", "nested too deeply"),
    ("parens.py", "import boto3\nx = " + "[" * 300 + "]" * 300 + "\n", "cannot parse it (line 2)"),
    ("keys.py", "import boto3\nboto3.client('sagemaker').create_training_job(A={"
     + ", ".join(f"'k{i}': {i}" for i in range(100_000)) + "})\n", None),
    ("dicts.py", "import boto3\nboto3.client('sagemaker').create_training_job(A=" + "{'a': " * 90 + "1"
     + "}" * 90 + ")\n", None),
    ("calls.py", "import boto3\nc = boto3.client('sagemaker')\n"
     + "c.create_training_job(TrainingJobName='j', ResourceConfig={'InstanceCount': 1})\n" * 20_000, None),
    ("names.py", "import boto3\n" + "".join(f"n{i} = n{i - 1}\n" for i in range(1, 5000))
     + "boto3.client('sagemaker').create_training_job(TrainingJobName=n4999)\n", None),
])
def test_hostile_python_is_bounded(tmp_path, name, text, note) -> None:
    (tmp_path / name).write_text(text)
    proc = subprocess.run([sys.executable, "-m", "gpulint", "--format", "json", name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=SECONDS, preexec_fn=_cap)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    diags = json.loads(proc.stdout)
    assert not [d for d in diags if d["rule"] in ("internal-error", "parse-error")]
    if note:
        assert note in proc.stderr and proc.returncode == 0


def test_warnings_python_gives_while_parsing_are_not_printed(tmp_path) -> None:
    (tmp_path / "patterns.py").write_text('import boto3\nPATTERN = "\\d+"\n')
    proc = subprocess.run([sys.executable, "-W", "default", "-m", "gpulint", "patterns.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_the_same_setup_in_yaml_and_in_python_reports_the_same_rules() -> None:
    """tests/fixtures/cases/forms-*: the markers of each case are checked by test_cases.py; here
    the two forms must expect the same rules, and `gpulint cost` must price both alike."""
    from expect import CASES, case_files, expected_for_file

    def rules(case: str) -> list[str]:
        return sorted(rule for f in case_files(os.path.join(CASES, case))
                      for (_, rule), n in expected_for_file(f).items() for _ in range(n))

    assert rules("forms-python") == rules("forms-yaml") == [
        "payload-limit-exceeded", "scale-in-cooldown-short", "scale-out-slower-than-scale-in",
        "scaling-capacity-invalid"]
    costs = []
    for case in ("forms-yaml", "forms-python"):
        _, out, _ = run_cli(["cost", "--format", "json", os.path.join(CASES, case)])
        data = json.loads(out)
        costs.append([(r["kind"], r["name"], r["instance_types"], r["count"], r["monthly_min"], r["monthly_max"])
                      for r in data["resources"]])
    assert costs[0] == costs[1] and costs[0][0][:2] == ("endpoint-variant", "chat-config/AllTraffic")


def test_suppression_comments_work_in_python(tmp_path) -> None:
    text = POLICY.replace("COOLDOWN,", "60,  # gpulint: disable=scale-in-cooldown-short\n       ")
    status, diags, _ = lint(tmp_path, {"scale.py": text})
    assert (status, diags) == (0, [])


def test_kwargs_from_a_dict_literal_are_read_with_their_spans() -> None:
    text = textwrap.dedent("""\
        import boto3
        KEY = "ScaleInCooldown"
        CONF = {"TargetValue": 70.0, KEY: 60}
        COMMON = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/e/variant/v"}
        boto3.client("application-autoscaling").put_scaling_policy(
            PolicyName="p", ScalableDimension="sagemaker:variant:DesiredInstanceCount",
            TargetTrackingScalingPolicyConfiguration=CONF, **COMMON)
    """)
    source = load("x.py", text.encode())
    (doc,) = source.documents
    assert doc.data == {"PolicyName": "p", "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                        "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0, "ScaleInCooldown": 60},
                        "ServiceNamespace": "sagemaker", "ResourceId": "endpoint/e/variant/v"}
    span = source.locate(0, ("ServiceNamespace",))
    assert (span.line, text[span.start:span.end], span.exact) == (4, '"sagemaker"', True)


def test_the_sdk_sends_true_for_any_true_spot_flag_and_nothing_for_a_false_one() -> None:
    docs = _docs("""\
        from sagemaker.estimator import Estimator
        Estimator(image_uri="i", instance_type="ml.g5.xlarge", instance_count=1, use_spot_instances=1)
        Estimator(image_uri="i", instance_type="ml.g5.xlarge", instance_count=1, use_spot_instances=False)
        Estimator(image_uri="i", instance_type="ml.g5.xlarge", instance_count=1, use_spot_instances=flag)
    """)
    assert [d.data.get("EnableManagedSpotTraining", "absent") for d in docs] == [True, "absent", "${flag}"]


def test_a_python_file_above_the_size_limit_gets_a_note(tmp_path) -> None:
    (tmp_path / ".gpulint.yaml").write_text("max-file-size: 100\n")
    status, diags, err = lint(tmp_path, {"big.py": "import boto3\n" + "# padding\n" * 50})
    assert (status, diags) == (0, [])
    assert "skipped 1 Python file(s) that could not be read, e.g. big.py: file is" in err
    assert "larger than max-file-size (100); skipped" in err


def _python_seeds() -> list[str]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = []
    for base in (os.path.join(root, "tests", "fixtures"), os.path.join(root, "examples")):
        for folder, _, names in os.walk(base):
            out += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".py")]
    return sorted(out)


@pytest.mark.parametrize("seed", _python_seeds(), ids=os.path.basename)
def test_mutated_python_never_fails_the_run(tmp_path, seed) -> None:
    """Truncated, byte-flipped and line-duplicated versions of every Python fixture: the run
    ends with findings or notes, never an internal error, and --fix writes only files that
    still parse."""
    import ast
    import random

    from gpulint.config import load_config
    from gpulint.engine.run import lint_paths

    text = open(seed, encoding="utf-8").read()
    rng = random.Random(seed)
    variants = [text[:rng.randrange(len(text))] for _ in range(8)]
    for _ in range(8):
        at = rng.randrange(len(text))
        variants.append(text[:at] + rng.choice("\x00()[]{}'\"\\#:=,*é\n") + text[at + 1:])
    lines = text.splitlines(keepends=True)
    for _ in range(4):
        at = rng.randrange(len(lines))
        variants.append("".join(lines[:at + 1] + lines[at:]))
    config = load_config(None)
    for i, variant in enumerate(variants):
        path = tmp_path / f"v{i}.py"
        path.write_text(variant, encoding="utf-8")
        result = lint_paths([str(path)], config)
        assert not [d for d in result.diagnostics if d.rule in ("internal-error", "parse-error")], (i, variant)
        status, _, err = run_cli(["--fix", "--unsafe-fixes", str(path)])
        assert "Traceback" not in err
        after = path.read_text(encoding="utf-8")
        if after != variant:
            ast.parse(after)  # a fix never leaves code that does not parse


def test_calls_with_keywords_boto3_does_not_take_are_not_read() -> None:
    docs = _docs("""\
        import boto3
        def wrap(session, network):
            session.create_endpoint_config(name="c", model_name="m", initial_instance_count=1)
            network.create_endpoint_config(aliases=["a"], links=None)
    """)
    assert docs == []
