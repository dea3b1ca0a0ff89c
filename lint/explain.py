"""The rule documentation subcommands: ``gpulint rules`` lists the rules, ``gpulint rule NAME``
explains one; each as text, or as JSON with ``--format json``."""

from __future__ import annotations

import json
from typing import Any, Sequence, TextIO

from gpulint.commandline import Parser, UsageError

EXIT_OK, EXIT_USAGE = 0, 2


def _parser(prog: str, description: str, name: bool) -> Parser:
    p = Parser(prog=prog, description=description,
               epilog="Exit status: 0, or 2 for a usage error" + (" or a rule that does not exist." if name else "."))
    if name:
        p.add_argument("name", metavar="NAME", help="the rule's name or code (gpu-limit-missing, GPU101)")
    p.add_argument("--format", "--output-format", dest="format", choices=("text", "json"), default="text",
                   help="output format (json: the same facts as data)")
    return p


def build_rules_parser() -> Parser:
    return _parser("gpulint rules", "List every rule: code, name, default severity and what it flags.", False)


def build_rule_parser() -> Parser:
    return _parser("gpulint rule", "Explain a rule: what it flags, why, an example, the fix and its options.", True)


def main(command: str, argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """``gpulint rules ...`` or ``gpulint rule ...`` (``command``), with the arguments after it."""
    parser = build_rules_parser() if command == "rules" else build_rule_parser()
    parser.stdout = out
    try:
        args = parser.parse_args(list(argv))
    except UsageError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if command == "rules":
        return print_rules(out, args.format)
    return print_rule(args.name, out, err, args.format)


def rule_facts(rule: Any) -> dict[str, Any]:
    """What ``gpulint rules --format json`` says about each rule."""
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "fix": rule.fix.value,
        "summary": rule.summary,
        "domain": rule.domain,
    }


def print_rules(out: TextIO, fmt: str = "text") -> int:
    from gpulint.engine.rule import all_rules

    rules = all_rules()
    if fmt == "json":
        out.write(json.dumps([rule_facts(r) for r in rules], indent=2) + "\n")
        return EXIT_OK
    width = max(len(r.name) for r in rules)
    for r in rules:
        out.write(f"{r.code:<8} {r.name:<{width}}  {r.severity.label:<7}  {r.summary}\n")
    return EXIT_OK


def _options(rule: Any) -> dict[str, dict[str, Any]]:
    """The rule's options as the config spells them: name -> default and description."""
    return {fname.replace("_", "-"): {"default": info.get_default(), "description": info.description or ""}
            for fname, info in rule.Options.model_fields.items()}


def print_rule(name: str, out: TextIO, err: TextIO, fmt: str = "text") -> int:
    from gpulint.engine.rule import all_rules, get_rule

    rule = get_rule(name)
    if rule is None:
        import difflib

        names = [r.name for r in all_rules()]
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'gpulint rules' lists them"
        shown = name.encode("unicode_escape").decode("ascii")
        err.write(f"gpulint: no rule named '{shown}'{hint}\n")
        return EXIT_USAGE
    if fmt == "json":
        facts = {**rule_facts(rule), "fix_summary": rule.fix_summary or None, "cross_file": rule.cross_file,
                 "options": _options(rule), "documentation": rule.documentation()}
        out.write(json.dumps(facts, indent=2) + "\n")
        return EXIT_OK
    out.write(f"# {rule.name} ({rule.code})\n\n")
    out.write(f"{rule.summary}\n\n")
    out.write(f"Default severity: {rule.severity.label}\n")
    out.write(f"Fix: {rule.fix_label()}\n")
    if rule.cross_file:
        out.write("Cross-file: yes (what it reports depends on the other files in the run)\n")
    options = _options(rule)
    if options:
        out.write("Options (under `rules: {%s: {...}}` in the config):\n" % rule.name)
        for key, option in options.items():
            default = json.dumps(option["default"])  # as the config spells it: false, 3600
            out.write(f"  {key}: default {default}. {option['description']}\n")
    out.write("\n" + rule.documentation() + "\n")
    return EXIT_OK
