"""Rules: small units with metadata, registered by decorator.

A rule declares the object types it checks (``targets``) and yields
:class:`Finding` objects: a path inside the object's document and a message.
The engine turns paths into positions, applies suppressions and severity
overrides, and hands diagnostics to reporters. A rule never reads text.

Each rule's docstring is its documentation (what it does, why it matters, an
example, how to fix it), printed by ``gpulint rule NAME``.

Rules live one per module, ``rules/<domain>/<rule_name>.py``, and are found by
walking the ``gpulint.rules`` package: a domain's modules are imported once the
model module it needs is loaded (:data:`DOMAIN_MODELS`), so a run imports only
the rules that can fire on what it read.
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
    #: the other side of a pair the finding is about (the limit of a request, the maxSize of a
    #: minSize), as paths in the same document: a suppression comment on their lines applies too
    also: list[Path] = field(default_factory=list)
    #: this finding's severity when it differs from the rule's (a severity set in the config wins)
    severity: Optional[Severity] = None


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
    source_url: ClassVar[str] = ""
    #: the rule's folder, ``rules/<domain>/``: its rules are imported with the domain's model
    #: (see :data:`DOMAIN_MODELS`)
    domain: ClassVar[str]
    #: for a rule with a fix: what the fix does, in a few words (the README's fix table)
    fix_summary: ClassVar[str] = ""

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
    def run_notes(cls, project: "Project", config: "Config", report: dict[str, bool]) -> list[str]:
        """Notes about the run as a whole, after every rule has run (e.g. joins a cross-file rule could
        not make); ``report``: whether each file is reported on. The run prints each distinct note once."""
        return []

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

#: each rule domain (a package ``gpulint.rules.<domain>``, one module per rule) and the model
#: module whose recognisers produce the objects its rules check: a run imports a domain's rules
#: only once that module is loaded, i.e. once a document of the domain was seen (None: always)
DOMAIN_MODELS: dict[str, Optional[str]] = {
    "engine": None,
    "cost": None,
    "kubernetes": "gpulint.model.kubernetes",
    "cluster": "gpulint.model.cluster",
    "sagemaker": "gpulint.model.sagemaker",
    "autoscaling": "gpulint.model.sagemaker",
}
_DOMAINS: Optional[list[str]] = None
_IMPORTED: set[str] = set()


def register(cls: type[Rule]) -> type[Rule]:
    for attr in ("code", "name", "severity", "summary", "domain"):
        if not hasattr(cls, attr):
            raise TypeError(f"rule {cls.__name__} lacks {attr}")
    if cls.name in _RULES or cls.code in _BY_CODE:
        raise ValueError(f"duplicate rule {cls.name} / {cls.code}")
    _RULES[cls.name] = cls
    _BY_CODE[cls.code] = cls
    return cls


def rule_domains() -> list[str]:
    """The domains, found by walking the ``gpulint.rules`` package: one sub-package each."""
    global _DOMAINS
    if _DOMAINS is None:
        import pkgutil

        import gpulint.rules

        found = []
        for info in pkgutil.iter_modules(gpulint.rules.__path__):
            if not info.ispkg or info.name not in DOMAIN_MODELS:
                raise ImportError(f"gpulint.rules.{info.name} is not a rule domain of {sorted(DOMAIN_MODELS)}: "
                                  f"rules live in rules/<domain>/<rule_name>.py")
            found.append(info.name)
        _DOMAINS = sorted(found)
    return _DOMAINS


def _import_domain(domain: str) -> None:
    """Import every rule module of ``domain``; each must register exactly the rule it is named after."""
    import pkgutil

    package = importlib.import_module(f"gpulint.rules.{domain}")
    for info in pkgutil.iter_modules(package.__path__):
        module = f"{package.__name__}.{info.name}"
        importlib.import_module(module)
        found = [r for r in _RULES.values() if r.__module__ == module]
        expected = info.name.replace("_", "-")
        if info.ispkg or [(r.name, r.domain) for r in found] != [(expected, domain)]:
            raise ImportError(f"{module} must register one rule named {expected} with domain {domain!r}, "
                              f"not {[(r.name, r.domain) for r in found]}")
    _IMPORTED.add(domain)


def all_rules() -> list[type[Rule]]:
    for domain in rule_domains():
        if domain not in _IMPORTED:
            _import_domain(domain)
    return sorted(_RULES.values(), key=lambda r: r.code)


def loaded_rules() -> list[type[Rule]]:
    """The rules of every domain whose model is loaded: the ones that can fire in this run."""
    import sys

    for domain in rule_domains():
        model = DOMAIN_MODELS[domain]
        if domain not in _IMPORTED and (model is None or model in sys.modules):
            _import_domain(domain)
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(name_or_code: str) -> Optional[type[Rule]]:
    found = _RULES.get(name_or_code) or _BY_CODE.get(name_or_code.upper())
    if found is None:
        all_rules()
        found = _RULES.get(name_or_code) or _BY_CODE.get(name_or_code.upper())
    return found
