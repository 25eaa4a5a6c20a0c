"""The layering rules of ARCHITECTURE.md, checked in fresh interpreters.

(click is not checked: sqlite-utils, which the core is built on, imports it itself.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = ["workbench.core.store", "workbench.core.codebook", "workbench.core.codings",
            "workbench.core.autocode", "workbench.core.history", "workbench.importers.batch",
            "workbench.exporters.codebooks"]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_do_not_load_ui_or_heavy_libraries(module):
    code = (f"import sys, importlib; importlib.import_module('{module}'); "
            "bad = [m for m in ('textual', 'rich', 'spacy', 'sklearn', 'networkx') "
            "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"{module} loaded {out}"


def test_cli_help_does_not_load_heavy_libraries():
    code = ("import sys; from click.testing import CliRunner; from workbench.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
            "print(','.join(m for m in ('textual', 'spacy', 'sklearn', 'networkx', 'matplotlib')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
