"""Every preference the UI keeps in QSettings, declared once, with the recent-files list built on them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

GEOMETRY = "main_window/geometry"
WINDOW_STATE = "main_window/state"
WORKSPACE = "main_window/workspace"
RECENT_FILES = "files/recent"
LAST_DIRECTORY = "files/last_directory"
DARK_ROOM = "view/dark_room"
TEXT_SIZE = "view/text_size_delta"
HIGH_CONTRAST = "view/high_contrast"
SOUND_ON = "conduct/sound_on"
PRESENTER_SCREEN = "conduct/presenter_screen"
BACKUP_FOLDER = "backups/folder"
BACKUP_INTERVAL_MIN = "backups/interval_minutes"
DEFAULT_MARKING = "exercise/default_marking"
ORGANISATION_NAME = "report/organisation_name"
ORGANISATION_LOGO = "report/organisation_logo"
ROOM_SERVER = "room/server"
"""The room's server as last typed, without its password (which is never stored)."""
STATION_NAME = "room/station_name"

MAX_RECENT = 10


def _as_list(value: object) -> list[str]:
    """INI files hand back a single string for a one-item list and None for an empty one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return []


def read_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    if isinstance(value, str):
        return value.lower() in {"1", "true", "yes"}
    return bool(value)


def read_int(settings: QSettings, key: str, default: int = 0) -> int:
    try:
        return int(settings.value(key, default))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


class RecentFiles:
    """The most recently used exercise files, newest first; files that no longer exist are dropped."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[Path]:
        seen: set[str] = set()
        result: list[Path] = []
        for text in _as_list(self._settings.value(RECENT_FILES)):
            path = Path(text)
            key = str(path)
            if key in seen or not path.is_file():
                continue
            seen.add(key)
            result.append(path)
        result = result[:MAX_RECENT]
        self._store(result)
        return result

    def add(self, path: Path) -> None:
        path = Path(path).resolve()
        others = [p for p in self.paths() if p.resolve() != path]
        self._store([path, *others][:MAX_RECENT])

    def remove(self, path: Path) -> None:
        path = Path(path).resolve()
        self._store([p for p in self.paths() if p.resolve() != path])

    def _store(self, paths: list[Path]) -> None:
        values = [str(p) for p in paths]
        if _as_list(self._settings.value(RECENT_FILES)) != values:
            self._settings.setValue(RECENT_FILES, values)
            self._settings.sync()
