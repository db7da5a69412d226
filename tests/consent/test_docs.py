"""The ``>>>`` examples in the consent modules' docstrings run; the package stays in its
layer (no web or command-line stack)."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

MODULES = ["model", "registry", "policy", "scope", "sparql"]


@pytest.mark.parametrize("name", MODULES)
def test_doc_examples(name: str) -> None:
    module = importlib.import_module(f"skillsgraph.consent.{name}")
    result = doctest.testmod(module)
    assert result.attempted and not result.failed


def test_importing_consent_loads_no_web_or_command_line_stack() -> None:
    code = (
        "import sys, skillsgraph.consent; "
        "print(sorted(m for m in ('fastapi', 'typer', 'uvicorn', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
