"""Opening a document reads the migrations' revisions as text; Alembic must agree with that reading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from ctpn_desktop.storage import db

from tests import factories


def test_the_revisions_read_as_text_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(db.alembic_config())
    assert db.head_revision() == scripts.get_current_head()
    assert db.known_revisions() == {script.revision for script in scripts.walk_revisions()}


def test_a_migration_without_a_revision_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "0001_broken.py").write_text("down_revision = None\n", encoding="utf-8")
    monkeypatch.setattr(db, "MIGRATIONS", tmp_path)
    db._revision_graph.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="names no revision"):
            db.head_revision()
    finally:
        monkeypatch.undo()
        db._revision_graph.cache_clear()


def test_opening_a_current_document_does_not_import_alembic(tmp_path: Path) -> None:
    document = factories.library_document(tmp_path)
    path = document.path
    document.close()
    probe = ("import sys; from pathlib import Path; from ctpn_desktop.core.services.document import open_document; "
             f"open_document(Path({str(path)!r})).close(); print('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "False"
