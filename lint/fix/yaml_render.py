"""New YAML text as ruamel.yaml writes it, quoted the way the file quotes.

ruamel.yaml's round-trip dumper decides quoting and writes block structure for
the values ``--fix`` inserts; it is imported only when a YAML fix is applied
(:func:`require_ruamel` says early when it is missing). The quoting helpers
read the composed document around an insertion point: whether the file prefers
double quotes, whether sibling values or keys are all quoted alike, and how the
same key's values are quoted elsewhere in the document.
"""

from __future__ import annotations

import io
import json
from typing import Any, Optional

import yaml

from gpulint.fix.edits import FixError, FixUnavailable
from gpulint.fix.yaml_layout import block_mappings

#: the quoting styles of a quoted scalar, as libyaml reports them
QUOTED = ('"', "'")


def _ruamel() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:  # a broken install; exercised through a patched import in the tests
        raise FixUnavailable(
            "--fix and --diff need ruamel.yaml, a dependency of gpulint, to edit YAML files; "
            "reinstall gpulint (pip install --force-reinstall gpulint)"
        ) from None
    return YAML


def require_ruamel() -> None:
    """Raise FixUnavailable now when ruamel.yaml cannot be imported."""
    _ruamel()


def dump(value: Any, flow: bool, mapping: int = 2, sequence: int = 2, offset: int = 0) -> str:
    """``value`` as ruamel.yaml writes it, in flow or block style with the given indentation."""
    yaml_cls = _ruamel()
    dumper = yaml_cls(typ="rt")
    dumper.width = 1 << 16
    dumper.default_flow_style = True if flow else False
    dumper.indent(mapping=mapping, sequence=sequence, offset=offset)
    out = io.StringIO()
    try:
        dumper.dump(value, out)
    except Exception:  # ruamel's RepresenterError and kin: a value it cannot write
        raise FixError("the new value cannot be written as YAML") from None
    text = out.getvalue()
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def render_scalar(value: Any, flow_context: bool = False, double: bool = False) -> str:
    """A scalar as ruamel writes it (plain when that reads back the same, quoted otherwise).

    ``double``: quote with double rather than single quotes when quotes are needed.
    """
    if isinstance(value, (dict, list)):
        raise FixError("expected a single value")
    text = dump(value, flow=False)
    if "\n" in text or (double and text.startswith("'")):
        text = json.dumps(value, ensure_ascii=False)
    if flow_context and not reads_back(f"[{text}]", [value]):
        text = json.dumps(value, ensure_ascii=False)
    return text


def with_quotes(value: Any, double: bool, always: Optional[str] = None) -> Any:
    """``value`` with its strings marked for quoting: with double quotes when they need
    quotes and ``double``; every string in the ``always`` style (``'"'`` or ``"'"``)."""
    if not double and always is None:
        return value
    if isinstance(value, dict):
        return {k: with_quotes(v, double, always) for k, v in value.items()}
    if isinstance(value, list):
        return [with_quotes(v, double, always) for v in value]
    if isinstance(value, str):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

        if always == '"' or (always is None and render_scalar(value).startswith("'")):
            return DoubleQuotedScalarString(value)
        if always == "'":
            return SingleQuotedScalarString(value)
    return value


def reads_back(text: str, expected: Any) -> bool:
    """Does ``text`` load as ``expected``?"""
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader) == expected
    except yaml.YAMLError:
        return False


def render_flow(value: Any, double: bool = False) -> str:
    """``value`` in flow style (``{a: 1}``, ``[x, y]``, or a scalar fit for one)."""
    if not isinstance(value, (dict, list)):
        return render_scalar(value, flow_context=True, double=double)
    return dump(with_quotes(value, double), flow=True)


def render_flow_pair(key: Any, value: Any, json_style: bool, double: bool = False) -> str:
    """``key: value`` for a flow mapping (JSON-like when ``json_style``)."""
    if json_style:
        return f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
    text = dump({key: with_quotes(value, double)}, flow=True)
    if not (text.startswith("{") and text.endswith("}")):
        raise FixError("cannot render the new entry in flow style")
    return text[1:-1]


def prefers_double(roots: list[Any]) -> bool:
    """Does the file quote its strings with double quotes more often than with single?"""
    styles = {'"': 0, "'": 0}
    stack = [r for r in roots if r is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.style in styles:
                styles[node.style] += 1
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return styles['"'] > styles["'"]


def value_quotes(mapping: Any) -> Optional[str]:
    """The quotes of the string values of ``mapping``, when it has some and all agree."""
    styles = [v.style or "" for _, v in mapping.value
              if isinstance(v, yaml.ScalarNode) and v.tag == "tag:yaml.org,2002:str"]
    if len(styles) >= 1 and len(set(styles)) == 1 and styles[0] in QUOTED:
        return styles[0]
    return None


def namesake_quotes(key: Any, root: Any) -> Optional[str]:
    """The quotes every string value has in the mappings under ``key`` elsewhere, if all agree."""
    styles = set()
    for m in block_mappings(root):
        for k, v in m.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(key) and isinstance(v, yaml.MappingNode):
                for _, item in v.value:
                    if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str":
                        styles.add(item.style or "")
    return styles.pop() if len(styles) == 1 and next(iter(styles)) in QUOTED else None


def keys_quoted(mapping: Any) -> Optional[str]:
    """The quotes of the keys of ``mapping``, when all have the same."""
    styles = {k.style for k, _ in mapping.value if isinstance(k, yaml.ScalarNode)}
    if len(styles) == 1:
        style = styles.pop()
        if style in QUOTED:
            return style
    return None


def render_key(key: Any, quote: Optional[str]) -> str:
    """A new key, in the ``quote`` style of its siblings (plain when None)."""
    if quote == '"':
        return json.dumps(str(key), ensure_ascii=False)
    if quote == "'":
        return "'" + str(key).replace("'", "''") + "'"
    text = render_scalar(key)
    return text
