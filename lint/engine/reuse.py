"""Linting again after some inputs changed (``--fix``): only they are loaded and recognised again.

A :class:`LoadedMemo` keeps what the per-file work gave each input of the last run (source,
typed objects, the file's own diagnostics). When the same linter runs again, an input with the
same name, bytes, config and role is taken from it as it was; the others are loaded and
recognised afresh. Everything that looks across files (the rules, cross-file joins included,
the run's notes, the budget gate and the suppressions) then runs over the whole Project as a
first run would, so the result is the one a full run on the same inputs gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from gpulint.engine.inputs import Input

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Loaded


def _key(item: Input) -> tuple[Any, ...]:
    # an input read from disk (data None) is the file as the last run read it
    config_path = item.config.path if item.config is not None else None
    return (item.name, item.data, item.report, id(item.config), config_path)


@dataclass
class LoadedMemo:
    """The per-file results of the last run, by input."""

    loaded: dict[tuple[Any, ...], "Loaded"] = field(default_factory=dict)
    #: inputs loaded again by the last run (for tests and for the curious)
    reloaded: list[str] = field(default_factory=list)

    def process(self, inputs: list[Input], process_all: Callable[[list[Input]], list["Loaded"]]) -> list["Loaded"]:
        """``process_all(inputs)``, taking every input whose key the last run saw from the memo."""
        from gpulint.engine.run import Loaded

        keys = _keys(inputs)
        again = {key for key in keys if key not in self.loaded}
        # a Terraform module (a folder of .tf files) is linked as a whole: all of it or none
        modules = {_module(item) for item, key in zip(inputs, keys) if key in again and _module(item)}
        again |= {key for item, key in zip(inputs, keys) if modules and _module(item) in modules}
        todo = [item for item, key in zip(inputs, keys) if key in again]
        fresh = iter(process_all(todo))
        out = []
        memo: dict[tuple[Any, ...], Loaded] = {}
        for key in keys:
            kept = None if key in again else self.loaded.get(key)
            if kept is None:
                done = next(fresh)
                # the run adds the rules' findings to the list it is given: the memo keeps its own
                kept = Loaded(done.source, done.objects, list(done.diagnostics), done.report)
            memo[key] = kept
            out.append(Loaded(kept.source, kept.objects, list(kept.diagnostics), kept.report))
        self.loaded = memo
        self.reloaded = [item.name for item in todo]
        return out


def _module(item: Input) -> str:
    """The Terraform module (folder) of a ``.tf`` input; "" for any other input."""
    import os

    return os.path.dirname(os.path.abspath(item.name)) if item.name.lower().endswith(".tf") else ""


def _keys(inputs: list[Input]) -> list[tuple[Any, ...]]:
    """A key per input; an input named twice is two inputs (each has its own source)."""
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    for item in inputs:
        key = _key(item)
        seen[key] = seen.get(key, -1) + 1
        out.append((*key, seen[key]))
    return out
