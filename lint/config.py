"""gpulint's configuration: ``.gpulint.yaml`` or ``[tool.gpulint]`` in pyproject.toml.

Both spell keys in kebab-case and take the same keys. Each file is linted with
the nearest config above it (``ConfigResolver``), searched upward no further
than the repository root (the nearest folder holding ``.git``): a config above
the repository cannot change how it is linted. A bad config is a
``ConfigError`` (exit status 2), never a traceback.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Any, Callable, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator

from gpulint.diagnostics import Severity, printable
from gpulint.load.sidefile import shorten, shown

CONFIG_FILES = (".gpulint.yaml", ".gpulint.yml")


class ConfigError(Exception):
    pass


def _where(path: Optional[str]) -> str:
    """The config file a message is about, escaped for one line of output."""
    return printable(path) if path else "config"


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
                    f"{_where(self.path)}: context: {shown(glob)} must be a glob relative to the config's folder "
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

    def as_yaml(self) -> str:
        """The settings as a config file would spell them (values in JSON, which YAML reads)."""
        import json

        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        lines = []
        for key in setting_names():
            if key == "rules":
                lines.append("rules:" + ("" if data[key] else " {}"))
                lines.extend(f"  {name}: {json.dumps(rule)}" for name, rule in data[key].items())
            elif key in data:
                lines.append(f"{key}: {json.dumps(data[key])}")
        return "\n".join(lines) + "\n"

    def check_rules(self) -> None:
        """Every key under ``rules`` must name a rule and use only its options."""
        from gpulint.engine.rule import all_rules, get_rule

        where = _where(self.path)
        if not (self.rules or self.select or self.ignore):
            return  # nothing names a rule: no need to import every rule pack
        names = [r.name for r in all_rules()]
        by_name: dict[str, RuleConfig] = {}
        for name, rc in self.rules.items():
            rule = get_rule(name)
            if rule is None:
                raise ConfigError(f"{where}: rules.{shorten(name)}: no such rule{did_you_mean(name, names)}")
            if name not in (rule.name, rule.code):  # keys are exact, as in the schema
                raise ConfigError(f"{where}: rules.{shorten(name)}: no such rule; did you mean '{rule.name}'?")
            if rule.name in by_name:
                raise ConfigError(f"{where}: rules.{shorten(name)}: {rule.name} ({rule.code}) is configured twice")
            options = sorted({_kebab(f) for f in rule.Options.model_fields} | {"severity"})
            for key in rc.model_extra or {}:
                if key not in options:
                    raise ConfigError(
                        f"{where}: rules.{shorten(name)}.{shorten(str(key))}: unknown option"
                        f"{did_you_mean(str(key), options)} "
                        f"({rule.name} takes: {', '.join(options)})"
                    )
            try:
                # strict, as the schema is: 'yes' is not a boolean, "300" not an integer
                rule.Options.model_validate(rc.model_extra or {}, strict=True)
            except ValidationError as exc:
                raise ConfigError(_format_errors(self.path, exc, prefix=f"rules.{shorten(name)}.")) from None
            by_name[rule.name] = rc  # a rule configured by code applies to the rule
        self.rules = by_name
        for key in ("select", "ignore"):
            for name in getattr(self, key):
                if get_rule(name) is None and not _is_prefix(name):
                    raise ConfigError(
                        f"{where}: {key}: no rule named or coded '{shorten(name)}'{did_you_mean(name, names)}"
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
    lines = [f"{_where(path)}: invalid configuration:"]
    for err in exc.errors():
        loc = prefix + ".".join(shorten(str(p)) for p in err["loc"])
        message = _PLAIN_MESSAGES.get(err["type"], err["msg"])
        if err["type"] != "extra_forbidden" and "input" in err and not isinstance(err["input"], (dict, list)):
            message += f", found {shown(err['input'])}"
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)


def _read_side(path: str, kind: str) -> Any:
    """The document in the config file ``path``: a regular file of at most SIDE_FILE_LIMIT
    bytes, parsed with gpulint's own loader (or tomllib); a ConfigError naming the problem and
    its position, never the file's text, when it cannot be."""
    from gpulint.load.bounded import SideFileError
    from gpulint.load.sidefile import read_document

    try:
        return read_document(path, kind)
    except SideFileError as exc:
        raise ConfigError(f"{exc.where(printable(path))}: {exc.message}") from None


def _read_pyproject(path: str) -> Optional[dict]:
    data = _read_side(path, "toml")
    tool = data.get("tool", {})
    section = tool.get("gpulint") if isinstance(tool, dict) else None
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"{printable(path)}: [tool.gpulint] must be a table of settings")
    return section


def _read_yaml(path: str) -> dict:
    data = _read_side(path, "yaml")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{printable(path)}: expected a mapping of settings")
    return data


def read_config_file(path: str) -> Config:
    if not os.path.lexists(path):
        raise ConfigError(f"{printable(path)}: no such config file")
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
                f"{_where(path)}: unknown setting '{shorten(str(key))}'{did_you_mean(str(key), known)} "
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


def repository_root(path: str) -> Optional[str]:
    """The nearest folder at or above ``path`` (a folder) holding ``.git`` (a folder, or the file
    of a worktree or submodule); None outside any repository."""
    folder = os.path.abspath(path)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_section(pyproject: str) -> bool:
    try:
        return _read_pyproject(pyproject) is not None
    except ConfigError:
        return True  # a broken pyproject.toml is reported when it is read, not passed over


def config_in(folder: str) -> tuple[Optional[str], list[str]]:
    """The config file ``folder`` holds (None if none), and the config files it holds that lose
    to it: ``.gpulint.yaml`` over ``.gpulint.yml`` over ``[tool.gpulint]`` in pyproject.toml.
    A ``.gpulint.yaml`` that is no regular file (a named pipe, a link to a device or to nothing)
    is found, to be refused when it is read, never passed over; a pyproject.toml is gpulint's
    only when it is a file with a [tool.gpulint] table."""
    found = [os.path.join(folder, name) for name in CONFIG_FILES if os.path.lexists(os.path.join(folder, name))]
    pyproject = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(pyproject) and _has_section(pyproject):
        found.append(pyproject)
    return (found[0], found[1:]) if found else (None, [])


def find_config(start: Optional[str] = None) -> Optional[str]:
    """The nearest config file at or above ``start`` (default: the current folder), searched no
    further than the repository root."""
    folder = os.path.abspath(start or os.getcwd())
    stop = repository_root(folder)
    while True:
        path, _ = config_in(folder)
        if path is not None:
            return path
        parent = os.path.dirname(folder)
        if folder == stop or parent == folder:
            return None
        folder = parent


def load_config(explicit: Optional[str] = None) -> Config:
    path = explicit or find_config()
    if path is None:
        return Config()
    return read_config_file(path)


class ConfigResolver:
    """The config of each file in a run: ``explicit`` (``--config``) for every file, or else the
    nearest config file at or above the file's folder, searched no further than its repository
    root. A file outside any repository with no config file above it takes the current folder's
    config (standard input, ``<(...)`` pipes, /dev/zero), and defaults where there is none. Each
    config file is read once (and handed to ``prepare``,
    which applies the command line's overrides), so files under one config share one ``Config``.
    ``notes`` says which config files were passed over for another in the same folder."""

    def __init__(self, explicit: Optional[str] = None, prepare: Optional[Callable[[Config], None]] = None) -> None:
        self._prepare = prepare
        self._by_file: dict[Optional[str], Config] = {}
        self._by_folder: dict[str, Config] = {}
        self.notes: list[str] = []
        self.explicit = self._read(explicit) if explicit else None

    def _read(self, path: Optional[str]) -> Config:
        key = os.path.realpath(path) if path else None
        cfg = self._by_file.get(key)
        if cfg is None:
            cfg = read_config_file(path) if path else Config()
            if self._prepare is not None:
                self._prepare(cfg)
            self._by_file[key] = cfg
        return cfg

    def for_path(self, path: str) -> Config:
        """The config of the file ``path`` (of the files in it, for a folder)."""
        return self.for_folder(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))

    def for_folder(self, folder: str) -> Config:
        """The config of the files directly in ``folder``."""
        if self.explicit is not None:
            return self.explicit
        folder = os.path.abspath(folder)
        found = self._by_folder.get(folder)
        return found if found is not None else self._search(folder)

    def _search(self, folder: str) -> Config:
        passed: list[str] = []  # folders without a config: they take the one found above them
        here = folder
        while True:
            cached = self._by_folder.get(here)
            if cached is not None:
                cfg = cached
                break
            passed.append(here)
            path, losers = config_in(here)
            if path is not None:
                for loser in losers:
                    winner = os.path.basename(path)
                    self.notes.append(f"{loser}: not read; {winner} in the same folder takes precedence")
                cfg = self._read(path)
                break
            parent = os.path.dirname(here)
            if os.path.lexists(os.path.join(here, ".git")):
                cfg = self._read(None)  # nothing above the repository root is read
                break
            if parent == here:
                cwd = os.getcwd()
                in_cwd = self._by_folder.get(cwd)
                if in_cwd is None and folder != cwd and cwd not in passed:
                    in_cwd = self._search(cwd)  # outside any repository: the current folder's
                cfg = in_cwd or self._read(None)
                break
            here = parent
        for f in passed:
            self._by_folder[f] = cfg
        return cfg
