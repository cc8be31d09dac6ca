"""Column choices the designer made for a header layout, kept for the next workbook of the same layout.

Exercise teams send a new version of the same MSEL every week, and each agency's workbook keeps its own
layout for years. When the designer corrects the proposed mapping (a column read as the wrong field, a
column left out, the header row pointed at), the import saves those choices under the header's fingerprint
(`ColumnMapping.fingerprint`: the header's words column by column) in a folder of the user's own; the next
sheet with that header starts from them, and says so.

One small JSON file per layout. A file that cannot be read, is too large or says something unexpected is
ignored (the detection then proposes as usual); saving writes a temporary file and moves it into place.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

from ctpn_desktop.core.io.msel_mapping import ColumnMapping, MselField, RememberedLayout
from ctpn_desktop.core.io.msel_read import MAX_COLUMNS, column_letter, column_number
from ctpn_desktop.core.io.msel_times import TimeBasis

FORMAT = "ctpn-msel-columns"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024
"""A saved layout is a few hundred bytes; anything much larger is not ours and is not read."""
MAX_LAYOUTS = 2000
"""Layouts listed at most (the newest are kept when more are saved)."""

_FINGERPRINT_RE = re.compile(r"[0-9a-f]{20}")
_LETTERS_RE = re.compile(r"[A-Z]{1,3}")


class MappingMemory:
    """The saved column choices in one folder (created when the first choices are saved)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._known: frozenset[str] | None = None

    def _path(self, fingerprint: str) -> Path:
        return self.folder / f"{fingerprint}.json"

    def fingerprints(self) -> frozenset[str]:
        """The layouts with saved choices (read once, then kept up to date by `remember` and `forget`)."""
        if self._known is None:
            try:
                names = [p for p in self.folder.iterdir() if p.suffix == ".json" and _FINGERPRINT_RE.fullmatch(p.stem)]
            except OSError:
                names = []
            if len(names) > MAX_LAYOUTS:
                names = sorted(names, key=_modified, reverse=True)[:MAX_LAYOUTS]
            self._known = frozenset(p.stem for p in names)
        return self._known

    def recall(self, fingerprint: str) -> RememberedLayout | None:
        """The choices saved for ``fingerprint``, or None (also for a damaged or foreign file)."""
        if not _FINGERPRINT_RE.fullmatch(fingerprint):
            return None
        path = self._path(fingerprint)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return None
        return _layout(data, fingerprint)

    def remember(self, mapping: ColumnMapping, source: str, *, now: datetime | None = None) -> RememberedLayout:
        """Save the choices of ``mapping`` for its header layout; raises OSError when the folder cannot be
        written (the import itself is not affected by that)."""
        fingerprint = mapping.fingerprint
        if not fingerprint:
            raise ValueError("a sheet without a header has no layout to remember")
        saved_at = (now or datetime.now()).replace(microsecond=0)
        columns = sorted(set(mapping.headers) | set(mapping.fields))
        fields: dict[int, MselField | None] = {c: mapping.fields.get(c) for c in columns}
        document = {
            "format": FORMAT, "version": VERSION, "fingerprint": fingerprint,
            "headers": {column_letter(c): t for c, t in sorted(mapping.headers.items())},
            "fields": {column_letter(c): (f.value if f is not None else None) for c, f in fields.items()},
            "time_basis": mapping.time_basis.value, "saved_at": saved_at.isoformat(), "source": source[:200],
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(fingerprint)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            with temporary.open("w", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
        self._known = self.fingerprints() | {fingerprint}
        return RememberedLayout(fingerprint, fields, mapping.time_basis, saved_at, source[:200])

    def forget(self, fingerprint: str) -> None:
        """Drop the choices saved for a layout, so the next sheet with it is detected afresh."""
        if _FINGERPRINT_RE.fullmatch(fingerprint):
            self._path(fingerprint).unlink(missing_ok=True)
            self._known = self.fingerprints() - {fingerprint}


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _layout(data: object, fingerprint: str) -> RememberedLayout | None:
    """A saved layout checked field by field; None when anything is not as this version writes it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        return None
    if data.get("fingerprint") != fingerprint:
        return None
    raw_fields, basis, saved_at, source = (data.get("fields"), data.get("time_basis"), data.get("saved_at"),
                                           data.get("source"))
    if not isinstance(raw_fields, dict) or not isinstance(source, str) or not isinstance(saved_at, str) \
            or not isinstance(basis, str):
        return None
    fields: dict[int, MselField | None] = {}
    for letter, value in raw_fields.items():
        if not isinstance(letter, str) or not _LETTERS_RE.fullmatch(letter):
            return None
        column = column_number(letter)
        if not 1 <= column <= MAX_COLUMNS:
            return None
        if value is None:
            fields[column] = None
        elif isinstance(value, str) and value in {f.value for f in MselField}:
            fields[column] = MselField(value)
        else:
            return None
    try:
        when = datetime.fromisoformat(saved_at)
        time_basis = TimeBasis(basis)
    except (TypeError, ValueError):
        return None
    return RememberedLayout(fingerprint, fields, time_basis, when.replace(tzinfo=None), source[:200])
