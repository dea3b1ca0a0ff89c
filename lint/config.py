"""gpulint's configuration: ``.gpulint.yaml`` or ``[tool.gpulint]`` in pyproject.toml.

Both spell keys in kebab-case and take the same keys. The nearest file wins,
searched from the current directory upward. A bad config is a ``ConfigError``
(exit status 2), never a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator

from gpulint.diagnostics import Severity

CONFIG_FILES = (".gpulint.yaml", ".gpulint.yml")


class ConfigError(Exception):
    pass


def _kebab(name: str) -> str:
    return name.replace("_", "-")


#: a ``context`` glob that would leave the config's folder: absolute, from the home folder, or through '..'
_OUTSIDE = r"^(/|\\|~|[A-Za-z]:)|(^|[/\\])\.\.([/\\]|$)"
#: a ``context`` glob, relative to the config's folder and inside it (the loader checks it too: check_context)
ContextGlob = Annotated[str, WithJsonSchema({"type": "string", "minLength": 1, "not": {"pattern": _OUTSIDE}})]


class RuleConfig(BaseModel):
    """Per-rule settings: ``severity`` plus the rule's own options."""

    model_config = ConfigDict(extra="allow")
    severity: Optional[Literal["error", "warning", "info"]] = None


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=_kebab)

    select: list[str] = Field(default_factory=list, description="Rules (names or codes) to run; empty runs all.")
    ignore: list[str] = Field(default_factory=list, description="Rules (names or codes) to skip.")
    fail_on: Literal["error", "warning", "info"] = Field(
        "warning", description="Lowest severity that makes the exit status 1."
    )
    extended_resource_toleration: bool = Field(
        True,
        description=(
            "The cluster runs the ExtendedResourceToleration admission plugin (EKS does): "
            "pods requesting an extended resource tolerate taints keyed by its name."
        ),
    )
    context: Union[list[ContextGlob], dict[ContextGlob, list[ContextGlob]]] = Field(
        default_factory=list,
        description=(
            "Globs of files loaded for cross-file rules but not reported on (e.g. cluster configs), relative to "
            "the config's folder. A list applies to every workload; a mapping from workload globs to lists of "
            "file globs says which cluster files the matching workloads run on."
        ),
    )
    exclude: list[str] = Field(default_factory=list, description="Globs of paths the directory walk skips.")
    max_file_size: int = Field(5 * 1024 * 1024, ge=1, description="Files larger than this many bytes are skipped.")
    rules: dict[str, RuleConfig] = Field(default_factory=dict, description="Per-rule severity and options.")
    budget: Optional[float] = Field(
        None, ge=0,
        description="Monthly budget in USD: cost-budget-exceeded fires when the estimated cost at max capacity is above it.",
    )
    quotas: Optional[Union[dict[str, float], str]] = Field(
        None,
        description=(
            "Account quotas for quota-exceeded: a YAML/JSON file with a 'quotas:' mapping, 'live' for the "
            "Service Quotas API, or the mapping itself ({\"ml.g5.12xlarge for endpoint usage\": 4})."
        ),
    )

    #: where the config was read from (None: defaults)
    path: Optional[str] = Field(None, exclude=True)

    @field_validator("select", "ignore", "context", "exclude", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def root(self) -> str:
        return os.path.dirname(self.path) if self.path else os.getcwd()

    @property
    def context_files(self) -> list[str]:
        """The globs of the files ``context`` loads (the mapping form's values, the list form itself)."""
        if isinstance(self.context, dict):
            return list(dict.fromkeys(g for globs in self.context.values() for g in globs))
        return list(self.context)

    def check_context(self) -> None:
        """Every ``context`` glob names files inside the config's folder."""
        globs = list(self.context) + (self.context_files if isinstance(self.context, dict) else [])
        for glob in globs:
            if not glob.strip() or re.search(_OUTSIDE, glob):
                raise ConfigError(
                    f"{self.path or 'config'}: context: {glob!r} must be a glob relative to the config's folder "
                    f"and inside it (no absolute path, no '..')"
                )

    def severity_for(self, rule_name: str, default: Severity) -> Severity:
        rc = self.rules.get(rule_name)
        if rc is not None and rc.severity:
            return Severity.parse(rc.severity)
        return default

    def options_for(self, rule: Any) -> Any:
        rc = self.rules.get(rule.name)
        raw = {k: v for k, v in (rc.model_extra or {}).items()} if rc else {}
        return rule.Options.model_validate(raw)

    def check_rules(self) -> None:
        """Every key under ``rules`` must name a rule and use only its options."""
        from gpulint.engine.rule import all_rules, get_rule

        where = self.path or "config"
        if not (self.rules or self.select or self.ignore):
            return  # nothing names a rule: no need to import every rule pack
        names = [r.name for r in all_rules()]
        by_name: dict[str, RuleConfig] = {}
        for name, rc in self.rules.items():
            rule = get_rule(name)
            if rule is None:
                raise ConfigError(f"{where}: rules.{name}: no such rule{did_you_mean(name, names)}")
            if name not in (rule.name, rule.code):  # keys are exact, as in the schema
                raise ConfigError(f"{where}: rules.{name}: no such rule; did you mean '{rule.name}'?")
            if rule.name in by_name:
                raise ConfigError(f"{where}: rules.{name}: {rule.name} ({rule.code}) is configured twice")
            options = sorted({_kebab(f) for f in rule.Options.model_fields} | {"severity"})
            for key in rc.model_extra or {}:
                if key not in options:
                    raise ConfigError(
                        f"{where}: rules.{name}.{key}: unknown option{did_you_mean(key, options)} "
                        f"({rule.name} takes: {', '.join(options)})"
                    )
            try:
                # strict, as the schema is: 'yes' is not a boolean, "300" not an integer
                rule.Options.model_validate(rc.model_extra or {}, strict=True)
            except ValidationError as exc:
                raise ConfigError(_format_errors(self.path, exc, prefix=f"rules.{name}.")) from None
            by_name[rule.name] = rc  # a rule configured by code applies to the rule
        self.rules = by_name
        for key in ("select", "ignore"):
            for name in getattr(self, key):
                if get_rule(name) is None and not _is_prefix(name):
                    raise ConfigError(
                        f"{where}: {key}: no rule named or coded '{name}'{did_you_mean(name, names)}"
                    )


def did_you_mean(word: str, choices: list[str]) -> str:
    import difflib

    candidates = {c: c for c in choices}
    # snake_case and camelCase spellings of a kebab-case key
    normal = {c.replace("-", "").lower(): c for c in choices}
    flat = word.replace("_", "").replace("-", "").lower()
    if flat in normal:
        return f"; did you mean '{normal[flat]}'?"
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def setting_names() -> list[str]:
    """The top-level keys a config file may use (kebab-case)."""
    return [info.alias or name for name, info in Config.model_fields.items() if name != "path"]


def _is_prefix(code: str) -> bool:
    """``GPU`` or ``GPU1`` select every rule whose code starts with it."""
    from gpulint.engine.rule import all_rules

    up = code.upper()
    return any(r.code.startswith(up) for r in all_rules())


_PLAIN_MESSAGES = {
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "list_type": "expected a list",
    "extra_forbidden": "unknown setting",
}


def _format_errors(path: Optional[str], exc: ValidationError, prefix: str = "") -> str:
    lines = [f"{path or 'config'}: invalid configuration:"]
    for err in exc.errors():
        loc = prefix + ".".join(str(p) for p in err["loc"])
        message = _PLAIN_MESSAGES.get(err["type"], err["msg"])
        if err["type"] != "extra_forbidden" and "input" in err and not isinstance(err["input"], (dict, list)):
            message += f", found {err['input']!r}"
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _read_pyproject(path: str) -> Optional[dict]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(_read_text(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    tool = data.get("tool", {})
    section = tool.get("gpulint") if isinstance(tool, dict) else None
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.gpulint] must be a table of settings")
    return section


def _read_yaml(path: str) -> dict:
    import yaml

    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {exc.problem or exc.context}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    return data


def read_config_file(path: str) -> Config:
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such config file")
    if os.path.basename(path) == "pyproject.toml":
        data = _read_pyproject(path) or {}
    else:
        data = _read_yaml(path)
    return from_mapping(data, os.path.realpath(path))


def from_mapping(data: dict, path: Optional[str] = None) -> Config:
    known = setting_names()
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{path or 'config'}: unknown setting '{key}'{did_you_mean(str(key), known)} "
                f"(settings: {', '.join(known)})"
            )
    try:
        cfg = Config.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from None
    cfg.path = path
    cfg.check_context()
    cfg.check_rules()
    return cfg


def find_config(start: Optional[str] = None) -> Optional[str]:
    folder = os.path.realpath(start or os.getcwd())
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject):
            try:
                if _read_pyproject(pyproject) is not None:
                    return pyproject
            except ConfigError:
                return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(explicit: Optional[str] = None) -> Config:
    path = explicit or find_config()
    if path is None:
        return Config()
    return read_config_file(path)
