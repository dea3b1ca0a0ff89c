"""Python files that call boto3 or the SageMaker Python SDK, read through :mod:`ast`.

A file is never imported or run. Only a file whose bytes mention ``boto3`` or ``sagemaker``
is decoded and parsed (:func:`relevant`: a large Python repository costs one substring search
per file). Each call gpulint understands becomes one :class:`~gpulint.load.document.Document`
shaped like the AWS request it stands for, so the recognisers and rules that check request
documents check it unchanged:

* boto3 ``sagemaker`` client calls (``create_endpoint_config``, ``create_endpoint``,
  ``create_model``, ``create_training_job``, ``create_transform_job``,
  ``create_inference_component``) and ``application-autoscaling`` client calls
  (``register_scalable_target``, ``put_scaling_policy``): the keyword arguments are the request
  (:mod:`.boto`);
* SageMaker Python SDK estimators, models, ``deploy()`` and ``transformer()``: the request the
  SDK sends for them (:mod:`.sdk`).

Values are read where they are certain (:mod:`.values`): literals, dict and list literals, and
names bound exactly once to a literal; anything else is an unknown placeholder (``${name}``) on
which rules stay silent. Each document records the span of the literal each value came from,
so findings point at it and ``--fix`` edits it in place (:func:`render` writes the new
literal). A file this interpreter cannot parse, or that is too deeply nested to, is not read:
it gets a note for the run (:data:`UNREAD_IS_NOTE`), never a ``parse-error``, since the code
may be valid for another Python version.
"""

from __future__ import annotations

import json
import sys
from typing import Any

#: the texts that make a Python file worth parsing
MARKERS = (b"boto3", b"sagemaker")
#: a file that cannot be read gets a note, not a parse-error (see the module's docstring)
UNREAD_IS_NOTE = True


def relevant(raw: bytes) -> bool:
    """Does the file mention boto3 or sagemaker at all? (Before decoding: cheap.)"""
    return any(marker in raw for marker in MARKERS)


def load(source: Any) -> None:
    """Fill ``source.documents`` with one document per call read; ``source.unread`` when the
    file cannot be parsed."""
    source.documents = []
    if not any(marker.decode() in source.text for marker in MARKERS):
        return
    tree, why = _parse(source.text)
    if tree is None:
        source.unread = why
        return
    from gpulint.load.python_.reader import read_module

    source.documents = read_module(tree, source.text)


def _parse(text: str) -> tuple[Any, str]:
    import ast
    import warnings

    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: the code's own business
            return ast.parse(text), ""
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if isinstance(exc.lineno, int) else ""
        return None, f"Python {version} cannot parse it{where}"
    except (RecursionError, MemoryError):
        return None, f"nested too deeply for Python {version} to parse"
    except ValueError:
        return None, "it holds characters Python does not accept in source code"


def render(value: Any) -> str:
    """``value`` as a Python literal (for ``--fix``)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a valid Python literal too; ASCII, every quote escaped
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"no Python literal for a {type(value).__name__}")
