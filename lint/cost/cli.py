"""``gpulint cost [PATH ...]``: the cost table, the budget gate and ``--diff REF``.

Exit status: 0, or 1 when ``--budget`` (or ``budget:`` in the config) is
exceeded at max capacity or cannot be checked (the gate fails closed: an
estimate that failed, a file that could not be read, a resource that could not
be priced at or above ``fail-on``), or 2 for a usage, configuration or git error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

from gpulint.commandline import Parser, UsageError, open_output
from gpulint.diagnostics import printable

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.project import Project

EXIT_OK, EXIT_OVER_BUDGET, EXIT_USAGE = 0, 1, 2


def _money_arg(text: str) -> float:
    try:
        value = float(text.replace(",", "").lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of US dollars a month, found '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a budget cannot be negative")
    return value


def build_parser() -> Parser:
    p = Parser(
        prog="gpulint cost",
        description="Estimate what the instances in SageMaker endpoint configs and jobs, eksctl node groups and "
        "Karpenter NodePools cost per month (730 h), at min and at max capacity.",
        epilog="Exit status: 0, 1 when the budget is exceeded or cannot be checked, 2 for a usage, config or git "
        "error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default '.')")
    p.add_argument("--format", "--output-format", dest="format", choices=("text", "json"), default="text",
                   help="output format")
    p.add_argument("--live", action="store_true",
                   help="ask the AWS Price List API and EC2 spot price history (cached on disk for a day); "
                   "falls back to the snapshot when there are no credentials")
    p.add_argument("--region", help="region for files that name none (default: AWS_REGION, AWS_DEFAULT_REGION, "
                   "the AWS profile's region in ~/.aws/config, else us-east-1)")
    p.add_argument("--budget", type=_money_arg, metavar="MONTHLY_USD",
                   help="fail (exit 1, cost-budget-exceeded) when the total at max capacity is above this")
    p.add_argument("--diff", metavar="REF", help="show the cost change from git REF to the working tree")
    p.add_argument("--config", metavar="FILE", help="config file (default: nearest one upward)")
    p.add_argument("--snapshot", metavar="FILE", help=argparse.SUPPRESS)  # another prices.json (tests, audits)
    p.add_argument("--stdin-filename", metavar="NAME", help="name to report for standard input")
    p.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE")
    return p


def main(argv: Sequence[str], out: TextIO, err: TextIO, stdin_data: Optional[bytes] = None,
         environ: Optional[dict] = None) -> int:
    parser = build_parser()
    parser.stdout = out
    try:
        args = parser.parse_args(list(argv))
    except UsageError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)

    from gpulint.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        err.write(f"gpulint: {exc}\n")
        return EXIT_USAGE
    budget = args.budget if args.budget is not None else getattr(config, "budget", None)
    paths = args.paths or ["."]
    missing = [] if args.diff else [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:  # a mistyped path must not pass a budget gate with nothing costed
        for p in missing:
            err.write(f"gpulint: {p}: no such file or directory\n")
        return EXIT_USAGE

    handle, opened = open_output(args.output_file, out, err)
    if handle is None:
        return EXIT_USAGE
    try:
        if args.diff:
            return _diff(args, config, paths, budget, handle, err, environ)
        return _table(args, config, paths, budget, handle, err, stdin_data, environ)
    finally:
        if opened:
            opened.close()


def _estimate(args: argparse.Namespace, config: object, paths: list[str], budget: Optional[float],
              stdin_data: Optional[bytes], environ: Optional[dict], prices: object = None,
              diagnostics: Optional[list] = None):  # noqa: ANN202
    from gpulint.cost import estimate
    from gpulint.engine.run import load_project

    project, notes = load_project(paths, config, args.stdin_filename, stdin_data,  # type: ignore[arg-type]
                                  diagnostics)
    prices = prices or estimate.make_prices(args.live, args.snapshot)
    est = estimate.estimate_project(project, prices, args.region, budget, environ)  # type: ignore[arg-type]
    est.notes = notes + est.notes
    return est


def _diag(rule_name: str, config: object, file: str, line: int, column: int, message: str) -> dict:
    from gpulint.engine.rule import get_rule

    rule = get_rule(rule_name)
    assert rule is not None
    severity = config.severity_for(rule.name, rule.severity)  # type: ignore[attr-defined]
    return {"rule": rule.name, "code": rule.code, "severity": severity.label, "file": file, "line": line,
            "column": column, "message": message}


def _gate(est: object, config: object, loaded: list) -> tuple[list[dict], bool]:
    """The budget gate's diagnostics, and whether they fail the run. It fails closed: over the
    budget, an estimate that failed, a file that could not be read completely (it may hold a
    resource the total left out), or a resource it could not price (at or above ``fail-on``)."""
    from gpulint.cost.budget import UNPRICED, findings
    from gpulint.diagnostics import Severity
    from gpulint.engine.run import Linter

    if est.budget is None:  # type: ignore[attr-defined]
        return [], False
    linter = Linter(config)  # type: ignore[arg-type]
    fail_on = Severity.parse(getattr(config, "fail_on", "warning"))
    diags, failed = [], bool(est.over_budget)  # type: ignore[attr-defined]
    for d in loaded:
        if d.severity >= Severity.ERROR:
            diags.append(_diag(d.rule, config, d.file, d.line, d.column, d.message))
            failed = True
    for f in findings(est):  # type: ignore[arg-type]
        if f.rule == UNPRICED and not linter.is_active(UNPRICED):
            continue
        where = (f.row.resource.file, f.row.line, f.row.column) if f.row else ("-", 1, 1)
        diag = _diag(f.rule, config, *where, f.message)
        diags.append(diag)
        failed = failed or f.rule != UNPRICED or Severity.parse(diag["severity"]) >= fail_on
    return diags, failed


def _failed_estimate(budget: float, exc: Exception, config: object) -> dict:
    from gpulint.cost.budget import EXCEEDED, failed_message

    return _diag(EXCEEDED, config, "-", 1, 1, failed_message(budget, "this run", type(exc).__name__))


def _line(d: dict) -> str:
    return f"{d['file']}:{d['line']}:{d['column']}: {d['severity']} {d['rule']} {d['message']}"


def _table(args: argparse.Namespace, config: object, paths: list[str], budget: Optional[float], out: TextIO,
           err: TextIO, stdin_data: Optional[bytes], environ: Optional[dict]) -> int:
    from gpulint.cost import render
    from gpulint.cost.pricing import SnapshotError

    loaded: list = []
    try:
        est = _estimate(args, config, paths, budget, stdin_data, environ, diagnostics=loaded)
    except SnapshotError as exc:
        err.write(f"gpulint: {exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - with a budget, the gate fails closed
        if budget is None:
            raise
        diag = _failed_estimate(budget, exc, config)
        if args.format == "json":
            import json

            json.dump({"resources": [], "budget": {"monthly_usd": budget, "exceeded": None},
                       "diagnostics": [diag]}, out, indent=2)
            out.write("\n")
        else:
            out.write(_line(diag) + "\n")
        return EXIT_OVER_BUDGET
    diags, failed = _gate(est, config, loaded)
    if args.format == "json":
        render.render_json(est, out, {"diagnostics": diags})
    else:
        render.render_text(est, out)
        for d in diags:
            out.write(_line(d) + "\n")
    for note in est.notes:
        err.write(f"gpulint: {printable(note)}\n")
    return EXIT_OVER_BUDGET if failed else EXIT_OK


# --------------------------------------------------------------------------- --diff REF


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True)


def _diff(args: argparse.Namespace, config: object, paths: list[str], budget: Optional[float], out: TextIO,
          err: TextIO, environ: Optional[dict]) -> int:
    from gpulint.cost import estimate, render

    if "-" in paths:
        err.write("gpulint: cost --diff compares files in git; standard input cannot be compared\n")
        return EXIT_USAGE
    cwd = os.getcwd()
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd)
    except OSError:
        err.write("gpulint: cost --diff needs git, which is not installed\n")
        return EXIT_USAGE
    if top.returncode != 0:
        err.write("gpulint: cost --diff: not inside a git repository\n")
        return EXIT_USAGE
    root = os.path.realpath(top.stdout.decode().strip())
    ref = args.diff
    check = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if check.returncode != 0:
        err.write(f"gpulint: cost --diff: '{ref}' is not a commit in this repository\n")
        return EXIT_USAGE
    rels = []
    for p in paths:
        rel = os.path.relpath(os.path.realpath(os.path.abspath(p)), root)
        if rel.startswith(".."):
            err.write(f"gpulint: cost --diff: {p} is outside the repository\n")
            return EXIT_USAGE
        rels.append(rel)
    from gpulint.cost.pricing import SnapshotError

    try:
        prices = estimate.make_prices(args.live, args.snapshot)
    except SnapshotError as exc:
        err.write(f"gpulint: {exc}\n")
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="gpulint-cost-") as tmp:
        archive = _git(["archive", "--format=tar", ref], root)
        if archive.returncode != 0:
            err.write(f"gpulint: cost --diff: git archive {ref} failed: {archive.stderr.decode(errors='replace').strip()}\n")
            return EXIT_USAGE
        _extract(archive.stdout, tmp)
        for p, r in zip(paths, rels):
            if not os.path.exists(p) and not os.path.exists(os.path.join(tmp, r)):
                err.write(f"gpulint: cost --diff: {p} exists neither in the working tree nor at {ref}\n")
                return EXIT_USAGE
        old_paths = [os.path.join(tmp, r) for r in rels if os.path.exists(os.path.join(tmp, r))]
        paths = [p for p in paths if os.path.exists(p)]
        old_config = config
        loaded: list = []
        before = _estimate(args, old_config, old_paths, None, None, environ, prices) if old_paths else \
            estimate.Estimate([], prices)
        after = _estimate(args, config, paths, budget, None, environ, prices, loaded) if paths else \
            estimate.Estimate([], prices, budget=budget)
        data = render.diff_data(before, after, tmp, root)
    data["ref"] = ref
    data["sources"] = list(dict.fromkeys(before.sources() + after.sources()))
    diags, failed = _gate(after, config, loaded)
    lines = [_line(d) for d in diags]
    if args.format == "json":
        import json

        data["budget"] = None if budget is None else {"monthly_usd": budget, "exceeded": after.over_budget}
        data["diagnostics"] = diags
        json.dump(data, out, indent=2)
        out.write("\n")
    else:
        render.render_diff_text(data, ref, out)
        if data["sources"]:
            out.write("Prices (on-demand unless marked spot): " + "; ".join(data["sources"]) + "\n")
        if budget is not None:
            verdict, partial = render.budget_verdict(after)
            out.write(f"Budget: {render.money(budget)} a month; the working tree is {verdict} it{partial}.\n")
        for line in lines:
            out.write(line + "\n")
    for note in dict.fromkeys(after.notes):
        err.write(f"gpulint: {printable(note)}\n")
    return EXIT_OVER_BUDGET if failed else EXIT_OK


def _extract(data: bytes, dest: str) -> None:
    """Unpack a ``git archive`` tar, refusing anything that would land outside ``dest``."""
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = []
        for m in tar.getmembers():
            target = os.path.realpath(os.path.join(dest, m.name))
            if not (target == os.path.realpath(dest) or target.startswith(os.path.realpath(dest) + os.sep)):
                continue
            if m.issym() or m.islnk() or m.isdev():
                continue
            members.append(m)
        if sys.version_info >= (3, 12) or hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            tar.extractall(dest, members=members)


# --------------------------------------------------------------------------- gpulint --cost


def summary_suffix_for(project: "Project", region: Optional[str] = None) -> str:
    """The text ``gpulint --cost`` appends to the lint summary line: the estimate of the lint
    run's own Project, at snapshot prices (in ``region`` where the files name none)."""
    from gpulint.cost.estimate import estimate_project, make_prices
    from gpulint.cost.render import summary_suffix

    est = estimate_project(project, make_prices(False), region)
    if not est.rows:
        return " No costed resources."
    return summary_suffix(est)
