"""Rules: small units with metadata, registered by decorator.

A rule declares the object types it checks (``targets``) and yields
:class:`Finding` objects: a path inside the object's document and a message.
The engine turns paths into positions, applies suppressions and severity
overrides, and hands diagnostics to reporters. A rule never reads text.

Each rule's docstring is its documentation (what it does, why it matters, an
example, how to fix it), printed by ``gpulint rule NAME``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Optional

from pydantic import BaseModel, ConfigDict

from gpulint.diagnostics import Applicability, Fix, Path, Severity
from gpulint.model.core import ModelObject

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.config import Config
    from gpulint.model.project import Project


class RuleOptions(BaseModel):
    """Options a rule accepts under ``rules: {NAME: {...}}`` in the config."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=lambda s: s.replace("_", "-"), defer_build=True)


@dataclass
class Finding:
    path: Path
    message: str
    obj: Optional[ModelObject] = None  # defaults to the object being checked
    fix: Optional[Fix] = None
    related: list[str] = field(default_factory=list)


@dataclass
class Context:
    project: "Project"
    config: "Config"
    options: Any


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    targets: ClassVar[tuple[type, ...]] = ()
    fix: ClassVar[Applicability] = Applicability.NONE
    Options: ClassVar[type[RuleOptions]] = RuleOptions
    #: whether the rule fires on an object can depend on other files of the run (the node
    #: pools a pod can land on, an HPA's target): see :meth:`reads_other_files`
    cross_file: ClassVar[bool] = False
    #: the module whose recognisers produce this rule's targets (lazy import)
    source_url: ClassVar[str] = ""

    def check(self, obj: Any, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - every rule overrides it
        """Yield a Finding for each problem in ``obj`` (an instance of one of ``targets``)."""
        return iter(())

    @classmethod
    def reads_other_files(cls, obj: ModelObject, project: "Project") -> bool:
        """Can what this rule reports on ``obj`` change with the other files in the run?

        When it can, a suppression of the rule that matched nothing is not reported as
        unused: with other files (a pre-commit run names only the changed ones) it may match.
        """
        return cls.cross_file

    @classmethod
    def documentation(cls) -> str:
        import inspect
        import textwrap

        doc = inspect.getdoc(cls) or cls.summary
        return textwrap.dedent(doc).strip()

    @classmethod
    def fix_label(cls) -> str:
        return {
            Applicability.SAFE: "safe (applied by --fix)",
            Applicability.UNSAFE: "unsafe (applied by --fix --unsafe-fixes)",
            Applicability.NONE: "none",
        }[cls.fix]


class EngineRule(Rule):
    """A rule the engine itself reports (parse errors, schema violations)."""

    def check(self, obj: Any, ctx: Context) -> Iterator[Finding]:
        return iter(())


_RULES: dict[str, type[Rule]] = {}
_BY_CODE: dict[str, type[Rule]] = {}
_LOADED = False

#: rule packs, imported on first use
RULE_MODULES = (
    "gpulint.engine.builtin_rules",
    "gpulint.rules.kubernetes",
    "gpulint.rules.cost",
    "gpulint.rules.sagemaker",
    "gpulint.rules.autoscaling",
    "gpulint.rules.cluster",
)
#: the domain module (recognisers and model) whose objects each pack checks; a run
#: imports a pack only once its domain is loaded, i.e. once a document of it was seen
RULE_PACK_DOMAINS = {
    "gpulint.engine.builtin_rules": None,
    "gpulint.rules.cost": None,
    "gpulint.rules.kubernetes": "gpulint.model.kubernetes",
    "gpulint.rules.sagemaker": "gpulint.model.sagemaker",
    "gpulint.rules.autoscaling": "gpulint.model.sagemaker",
    "gpulint.rules.cluster": "gpulint.model.cluster",
}


def register(cls: type[Rule]) -> type[Rule]:
    for attr in ("code", "name", "severity", "summary"):
        if not hasattr(cls, attr):
            raise TypeError(f"rule {cls.__name__} lacks {attr}")
    if cls.name in _RULES or cls.code in _BY_CODE:
        raise ValueError(f"duplicate rule {cls.name} / {cls.code}")
    _RULES[cls.name] = cls
    _BY_CODE[cls.code] = cls
    return cls


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for name in RULE_MODULES:
            importlib.import_module(name)


def all_rules() -> list[type[Rule]]:
    _ensure_loaded()
    return sorted(_RULES.values(), key=lambda r: r.code)


def loaded_rules() -> list[type[Rule]]:
    """The rules of every pack whose domain is loaded: the ones that can fire in this run."""
    import sys

    for pack, domain in RULE_PACK_DOMAINS.items():
        if pack not in sys.modules and (domain is None or domain in sys.modules):
            importlib.import_module(pack)
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(name_or_code: str) -> Optional[type[Rule]]:
    found = _RULES.get(name_or_code) or _BY_CODE.get(name_or_code.upper())
    if found is None:
        _ensure_loaded()
        found = _RULES.get(name_or_code) or _BY_CODE.get(name_or_code.upper())
    return found
