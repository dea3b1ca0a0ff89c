"""The same file named several ways is linted once."""

from __future__ import annotations

import os

DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"


def test_one_file_named_twice_is_linted_once(tmp_path) -> None:
    from gpulint.load.walk import walk

    (tmp_path / "a.yaml").write_text(DEPLOYMENT)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert walk(["a.yaml", "./a.yaml", "."]).files == ["a.yaml"]
    finally:
        os.chdir(here)
