"""Shared fixtures: settings over a temporary project home, an in-memory store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A project home with the real ontology and shapes and no mappings yet."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "shapes", tmp_path / "shapes")
    (tmp_path / "mappings").mkdir()
    return tmp_path


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(store="memory", home=home, reports=home / "reports")


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(None)
    yield opened
    opened.close()
