"""Command line: ``gpulint [check] [OPTIONS] [PATH ...]``, ``gpulint rules``, ``gpulint rule NAME``,
``gpulint cost``.

Exit status: 0 when nothing at or above ``--fail-on`` was found, 1 when
something was, 2 for a usage or configuration error. ``main`` returns the
status; only ``entry`` exits.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

from gpulint import __version__
from gpulint.commandline import Parser, UsageError, open_output
from gpulint.diagnostics import printable

if TYPE_CHECKING:  # pragma: no cover
    from typing import Callable

    from gpulint.config import Config, ConfigResolver
    from gpulint.engine.run import Result

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("check", "rules", "rule", "cost")


def _csv(values: Optional[list[str]]) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def build_parser(prog: str = "gpulint") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="Lint GPU and ML infrastructure configs: Kubernetes, eksctl, Karpenter, SageMaker.",
        epilog="Subcommands: 'gpulint check' is this command; 'gpulint rules' lists the rules; 'gpulint rule NAME' "
        "explains one; 'gpulint cost' estimates the monthly cost (each takes --help). "
        "Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to lint ('-' for standard input; default '.')")
    p.add_argument("--format", "--output-format", dest="format", choices=("text", "json", "sarif", "github", "gitlab"),
                   default="text", help="output format (gitlab: a Code Quality report)")
    p.add_argument("--select", action="append", metavar="RULES", help="only these rules (names, codes or code prefixes; comma-separated)")
    p.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules (comma-separated)")
    p.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run (default: warning)")
    p.add_argument("--config", metavar="FILE",
                   help="config file (.gpulint.yaml or pyproject.toml) for every file; default: each file's nearest "
                   "one, searched upward to the repository root")
    p.add_argument("--force-exclude", action="store_true",
                   help="skip files named on the command line where the folder walk would skip them "
                   "(exclude, .gitignore); for pre-commit")
    p.add_argument("--show-settings", action="store_true",
                   help="print the settings PATH is linted with, and the config file they come from")
    p.add_argument("--stdin-filename", metavar="NAME", help="name to report for standard input")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    p.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary or notes")
    p.add_argument("--statistics", action="store_true",
                   help="print the number of findings per rule instead of the findings (JSON with --format json)")
    p.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--sarif-file", metavar="FILE", help="also write a SARIF report of the same run to FILE")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text output")
    p.add_argument("--cost", action="store_true",
                   help="add the estimated monthly cost range to the summary line (see 'gpulint cost')")
    p.add_argument("--quotas", metavar="FILE|live",
                   help="account quotas for quota-exceeded: a YAML/JSON file with a 'quotas:' mapping, "
                   "or 'live' to read them from the Service Quotas API")
    p.add_argument("--region", help="AWS region that --cost and the budget gate price resources in when their files "
                   "name none, and that '--quotas live' reads (default: AWS_REGION, AWS_DEFAULT_REGION, the AWS "
                   "profile's region, else us-east-1)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place, then report what remains")
    p.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff, also apply fixes a reviewer should check")
    p.add_argument("--diff", action="store_true", help="print what --fix would change as a unified diff and write nothing (exit 1 when there is a diff)")
    p.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    p.add_argument("--write-baseline", metavar="FILE", help="record every current finding in FILE and exit 0")
    p.add_argument("--show-context", metavar="FILE",
                   help="print which node pool files each workload in FILE is joined with, and why; then exit 0")
    p.add_argument("--version", action="version", version=f"gpulint {__version__}")
    return p


def main(argv: Optional[Sequence[str]] = None, stdout: Optional[TextIO] = None,
         stderr: Optional[TextIO] = None, stdin_data: Optional[bytes] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    prog = "gpulint"
    if argv and argv[0] in SUBCOMMANDS:
        command, argv = argv[0], argv[1:]
        if command == "cost":
            from gpulint.cost.cli import main as cost_main

            return cost_main(argv, out, err, stdin_data)
        if command in ("rules", "rule"):
            from gpulint.explain import main as explain_main

            return explain_main(command, argv, out, err)
        prog = "gpulint check"  # the lint command by its name (a folder named check: ./check)
    try:
        parser = build_parser(prog)
        parser.stdout = out  # type: ignore[attr-defined]
        args = parser.parse_args(argv)
    except UsageError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    return _lint(args, out, err, stdin_data)


class _Stop(Exception):
    """End the lint run with ``status``; what there was to say is written already."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _usage(err: TextIO, message: str) -> _Stop:
    """A usage or configuration error: the message written, the exception to raise."""
    err.write(f"gpulint: {message}\n")
    return _Stop(EXIT_USAGE)


def _lint(args: argparse.Namespace, out: TextIO, err: TextIO, stdin_data: Optional[bytes]) -> int:
    """config -> rules and paths -> lint (or fix) -> baseline -> report -> exit status."""
    try:
        _check_options(args, err)
        resolver, config = _load_config(args, err)
        if args.show_settings:
            from gpulint.explain import show_settings

            return show_settings(args, resolver, out, err)
        select, ignore = _rule_names(args, err)
        paths = _paths(args, err)
        if args.show_context:
            from gpulint.explain import show_context

            return show_context(args.show_context, paths, config, out, err)
        known = _read_baseline(args, err)
        inputs = {"resolver": resolver, "force_exclude": args.force_exclude}
        fix_status, result, out = _run(args, config, select, ignore, paths, out, err, stdin_data, inputs)
        if args.write_baseline:
            return _write_baseline(result, args.write_baseline, args.quiet, err)
        if known is not None:
            _hide_known(result, known, args.baseline)
        _report(args, result, out, err)
    except _Stop as stop:
        return stop.status
    result.notes.extend(_always_reported_notes(ignore, config))
    if not args.quiet:
        for note in result.notes:
            err.write(f"gpulint: {printable(note)}\n")
    return _exit_status(args, config, result, fix_status)


def _check_options(args: argparse.Namespace, err: TextIO) -> None:
    """Options that mean nothing without another one, or nothing as given."""
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise _usage(err, "--unsafe-fixes applies with --fix or --diff; add one of them "
                          "(--diff to see the fixes, --fix to apply them)")
    if args.region is not None:
        from gpulint.cost.values import is_region

        if not is_region(args.region):  # a typo would price nothing and pass a budget gate
            shown = args.region.encode("unicode_escape").decode("ascii")
            raise _usage(err, f"--region '{shown}' is not an AWS region name (like us-east-1 or eu-west-1)")


def _always_reported_notes(ignore: list[str], config: "Config") -> list[str]:
    """A note for each engine rule the run was told to ignore by name: it is reported anyway."""
    from gpulint.engine.rule import get_rule
    from gpulint.engine.run import ALWAYS_REPORTED

    named = []
    for name in list(config.ignore) + ignore:
        rule = get_rule(name)
        if rule is not None and rule.name in ALWAYS_REPORTED and rule.name not in named:
            named.append(rule.name)
    return [f"{name} is always reported: a file gpulint cannot read or check must not pass unnoticed, "
            f"so --ignore and the config's ignore do not hide it" for name in named]


def _load_config(args: argparse.Namespace, err: TextIO) -> tuple["ConfigResolver", "Config"]:
    """The run's config resolver (--config, or each file's nearest config file), and the config of
    the current folder (of standard input and the context globs)."""
    from gpulint.config import ConfigError, ConfigResolver

    try:
        resolver = ConfigResolver(args.config, prepare=_apply_options(args))
        return resolver, resolver.explicit or resolver.for_folder(os.getcwd())
    except ConfigError as exc:
        raise _usage(err, str(exc)) from None


def _rule_names(args: argparse.Namespace, err: TextIO) -> tuple[list[str], list[str]]:
    """--select and --ignore, every name checked against the rules."""
    from gpulint.engine.rule import get_rule

    select, ignore = _csv(args.select), _csv(args.ignore)
    for name in select + ignore:
        if get_rule(name) is None and not _code_prefix(name):
            from gpulint.config import did_you_mean
            from gpulint.engine.rule import all_rules

            hint = did_you_mean(name, [r.name for r in all_rules()]) or "; 'gpulint rules' lists them"
            raise _usage(err, f"no rule named or coded '{name}'{hint}")
    return select, ignore


def _apply_options(args: argparse.Namespace) -> "Callable[[Config], None]":
    """What applies --fail-on and --quotas over each config file read; its quotas read (those of
    --quotas once for all). A quota file that cannot be read is a ConfigError."""
    given: list = []

    def prepare(config: "Config") -> None:
        from gpulint.config import ConfigError

        if args.fail_on:
            config.fail_on = args.fail_on
        if given:
            config.quotas = given[0]
        elif args.quotas or config.quotas is not None:
            from gpulint.model.quotas import QuotaError, for_config

            if args.quotas:
                config.quotas = args.quotas if args.quotas == "live" else os.path.abspath(args.quotas)
            try:
                config.quotas = for_config(config, args.region)
            except QuotaError as exc:
                raise ConfigError(str(exc)) from None
            if args.quotas:
                given.append(config.quotas)

    return prepare


def _paths(args: argparse.Namespace, err: TextIO) -> list[str]:
    """The paths to lint; every one of them must name something to read."""
    # --stdin-filename alone means standard input (`helm template ... | gpulint --stdin-filename x.yaml`)
    paths = args.paths or (["-"] if args.stdin_filename else ["."])
    if args.stdin_filename and "-" not in paths:
        raise _usage(err, "--stdin-filename names standard input, but '-' is not among the paths")
    # files named here; a folder's files are checked once walked (its own name is no clash)
    _check_stdin_name(args.stdin_filename, [p for p in paths if p != "-" and not os.path.isdir(p)], err)
    from gpulint.engine.inputs import names_nothing

    wrong = [(p, names_nothing(p)) for p in paths if p != "-"]
    if any(why for _, why in wrong):  # a mistyped or renamed path must not pass the gate silently
        for p, why in wrong:
            if why:
                err.write(f"gpulint: {printable(p)}: {why}\n")
        raise _Stop(EXIT_USAGE)
    return paths


def _read_baseline(args: argparse.Namespace, err: TextIO) -> Optional[object]:
    """The findings recorded in --baseline (read before the run, so a bad file fails fast)."""
    if not args.baseline or args.write_baseline:
        return None
    from gpulint.engine import baseline

    try:
        return baseline.load(args.baseline)
    except baseline.BaselineError as exc:
        raise _usage(err, str(exc)) from None


def _run(args: argparse.Namespace, config: "Config", select: list[str], ignore: list[str], paths: list[str],
         out: TextIO, err: TextIO, stdin_data: Optional[bytes], inputs: dict) -> tuple[int, "Result", TextIO]:
    """Lint, or fix and lint again: (1 if a fixed file could not be written else 0, the result
    to report, the stream to report on). ``inputs``: how files and their configs are found."""
    from gpulint.config import ConfigError

    try:
        if args.fix or args.diff:
            return _run_fixes(args, config, select, ignore, paths, out, err, stdin_data, inputs)
        from gpulint.engine.run import lint_paths

        result = lint_paths(paths, config, select, ignore, args.stdin_filename, stdin_data, args.region, **inputs)
    except ConfigError as exc:  # a config file met on the way (each file is linted with its nearest)
        raise _usage(err, str(exc)) from None
    if args.stdin_filename:  # a folder on the command line may hold a file of that name
        others = [s.name for s in result.sources]
        if args.stdin_filename in others:
            others.remove(args.stdin_filename)  # standard input itself
        _check_stdin_name(args.stdin_filename, others, err)
    return EXIT_OK, result, out


def _hide_known(result: "Result", known: object, path: str) -> None:
    from gpulint.engine import baseline

    hidden = baseline.apply(result, known, path)  # type: ignore[arg-type]
    if hidden:
        result.notes.append(f"{hidden} finding(s) recorded in {path} not shown")


def _report(args: argparse.Namespace, result: "Result", out: TextIO, err: TextIO) -> None:
    """The report, in --format, to --output-file or ``out``; --statistics after it."""
    handle, opened = open_output(args.output_file, out, err)
    if handle is None:
        raise _Stop(EXIT_USAGE)
    try:
        colour = args.color == "always" or (
            args.color == "auto" and handle is sys.stdout and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        )
        options = {"colour": colour, "quiet": args.quiet}
        if args.cost and args.format == "text":
            from gpulint.cost.cli import summary_suffix_for

            options["summary_suffix"] = summary_suffix_for(result.project, args.region)
        _write_report(args, result, options, handle, opened, err)
        if args.sarif_file:
            _write_sarif(args.sarif_file, result, err)
    finally:
        if opened and not opened.closed:
            try:
                opened.close()
            except OSError:
                pass


def _write_report(args: argparse.Namespace, result: "Result", options: dict, handle: TextIO,
                  opened: Optional[TextIO], err: TextIO) -> None:
    from gpulint.reporters import get_reporter

    try:
        if args.statistics:
            from gpulint.reporters.statistics import report_statistics

            report_statistics(result, handle, args.format == "json", args.quiet, options.get("summary_suffix", ""))
        else:
            get_reporter(args.format)(result, handle, options)
        handle.flush()
        if opened:
            opened.close()
    except BrokenPipeError:
        raise  # the reader went away (| head): entry() ends quietly
    except OSError as exc:  # a full disk, a failing device
        where = args.output_file or "standard output"
        err.write(f"gpulint: cannot write the report to {where}: {exc.strerror or exc}\n")
        raise _Stop(EXIT_USAGE) from None


def _write_sarif(path: str, result: "Result", err: TextIO) -> None:
    """--sarif-file: the run's SARIF report, besides the main one."""
    from gpulint.reporters import get_reporter

    handle, opened = open_output(path, sys.stdout, err)
    if handle is None:
        raise _Stop(EXIT_USAGE)
    try:
        get_reporter("sarif")(result, handle, {"colour": False, "quiet": True})
        handle.close()
    except OSError as exc:
        err.write(f"gpulint: cannot write the report to {path}: {exc.strerror or exc}\n")
        raise _Stop(EXIT_USAGE) from None


def _exit_status(args: argparse.Namespace, config: "Config", result: "Result", fix_status: int) -> int:
    """Each finding against the fail-on of its file's config (--fail-on applies to every config)."""
    from gpulint.diagnostics import Severity

    threshold = {level: Severity.parse(level) for level in ("error", "warning", "info")}
    if args.exit_zero:
        return EXIT_OK
    failed = any(d.severity >= threshold[result.fail_on.get(d.file, config.fail_on)] for d in result.diagnostics)
    return EXIT_FINDINGS if failed or fix_status else EXIT_OK


def _run_fixes(args: argparse.Namespace, config: "Config", select: list[str], ignore: list[str], paths: list[str],
               out: TextIO, err: TextIO, stdin_data: Optional[bytes], inputs: dict) -> tuple[int, "Result", TextIO]:
    """--fix / --diff: (1 if a fixed file could not be written else 0, the result to report, the
    stream to report on); raises _Stop when done here (--diff, or an error).

    With standard input, --fix prints the fixed text to standard output and the
    report to standard error.
    """
    from gpulint.fix.diff import unified_diff
    from gpulint.fix.edits import FixUnavailable
    from gpulint.fix.run import InputNameClash, run_fixes

    try:
        outcome = run_fixes(paths, config, select, ignore, args.stdin_filename, stdin_data,
                            unsafe=args.unsafe_fixes, write=not args.diff, region=args.region, **inputs)
    except (FixUnavailable, InputNameClash) as exc:
        raise _usage(err, str(exc)) from None
    if args.diff:
        for f in outcome.changed:
            out.write(unified_diff(f.name, f.original, f.fixed))
        if not args.quiet:
            for note in outcome.notes:
                err.write(f"gpulint: {printable(note)}\n")
            n = sum(len(f.applied) for f in outcome.changed)
            err.write(f"gpulint: {n} fix(es) would change {len(outcome.changed)} file(s)\n")
        raise _Stop(EXIT_FINDINGS if outcome.changed and not args.exit_zero else EXIT_OK)
    if outcome.stdin_bytes is not None:
        _write_bytes(out, outcome.stdin_bytes)
        out = err
    result = outcome.result
    if not args.quiet and outcome.fixed_count:
        files = sum(1 for f in outcome.changed if f.written or f.stdin)
        result.notes.append(f"fixed {outcome.fixed_count} problem(s) in {files} file(s)")
    return (EXIT_FINDINGS if outcome.write_errors else EXIT_OK), result, out


def _check_stdin_name(name: Optional[str], others: list[str], err: TextIO) -> None:
    """Standard input named like another file of the run would be reported, fixed and echoed
    as that file: a usage error."""
    if not name:
        return
    from gpulint.fix.write import same_path

    for other in others:
        if same_path(name, other):
            raise _usage(err, f"--stdin-filename {printable(name)} names standard input like the file "
                         f"{printable(other)} of this run; give standard input a name of its own")


def _write_bytes(out: TextIO, data: bytes) -> None:
    """Standard input's fixed bytes, exactly (through the stream's buffer when it has one)."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream: undecodable bytes kept as surrogates, to be encoded back
        out.write(data.decode("utf-8", "surrogateescape"))
        out.flush()


def _write_baseline(result: "Result", path: str, quiet: bool, err: TextIO) -> int:
    from gpulint.engine import baseline

    try:
        n = baseline.write(result, path)
    except baseline.BaselineError as exc:
        err.write(f"gpulint: {exc}\n")
        return EXIT_USAGE
    if not quiet:
        err.write(f"gpulint: recorded {n} finding(s) in {printable(path)}\n")
    return EXIT_OK


def _code_prefix(name: str) -> bool:
    from gpulint.engine.rule import all_rules

    return name.lower() == "all" or any(r.code.startswith(name.upper()) for r in all_rules())


def entry() -> None:
    # The model a run builds lives until the process ends (with os._exit, in _leave): the cyclic
    # collector would only walk it again and again, and a pass after the run finds nothing to free.
    gc.disable()
    try:
        code = main()
    except KeyboardInterrupt:  # pragma: no cover
        code = 130
    except BrokenPipeError:  # pragma: no cover
        code = EXIT_OK
    except Exception as exc:  # a bug outside the per-file guards: a message, never a traceback
        sys.stderr.write(f"gpulint: internal error: {type(exc).__name__}: {exc} (a bug in gpulint; please report it)\n")
        code = EXIT_USAGE
    _leave(code)


def _leave(code: int) -> None:
    """End the process. Every file gpulint writes is closed by now; what is left is freeing a
    large model object by object, which takes longer than some whole runs: flush the output
    and leave at once."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass
    os._exit(code)
