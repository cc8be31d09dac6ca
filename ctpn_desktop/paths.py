"""Where the application finds what it ships with and where it keeps what belongs to the user.

Resources live next to the package in a checkout, under ``sys._MEIPASS`` in a PyInstaller bundle and in
``<prefix>/share/ctpn-desktop`` when installed from a wheel (the offline kit); user
files go where platformdirs says, unless ``CTPN_CONFIG_DIR`` points elsewhere (tests and portable use), so
nothing ever touches the user's real settings by accident.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import platformdirs

APP_DIR_NAME = "CTPN Desktop"
APP_AUTHOR = "CTPN"
CONFIG_DIR_ENV = "CTPN_CONFIG_DIR"
SETTINGS_FILE = "settings.ini"
DEVICE_ID_FILE = "device-id"


SHARE_DIR_NAME = "ctpn-desktop"


def bundle_root() -> Path:
    """The folder holding ``resources/`` and ``scenarios/``: the bundle when frozen, the checkout when run from
    source, else the data folder a wheel installs into."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "scenarios").is_dir() and (checkout / "resources").is_dir():
        return checkout
    return Path(sys.prefix) / "share" / SHARE_DIR_NAME


def resources_dir() -> Path:
    return bundle_root() / "resources"


def scenarios_dir() -> Path:
    return bundle_root() / "scenarios"


def app_icon_path() -> Path:
    return resources_dir() / "icons" / "ctpn-desktop.svg"


def config_dir() -> Path:
    """The user's settings folder (created on demand)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_config_dir(APP_DIR_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """The user's data folder (not created here); beside the settings when ``CTPN_CONFIG_DIR`` is set."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_DIR_NAME, APP_AUTHOR))


def default_backups_dir() -> Path:
    """Where rolling backups of open exercises go unless the user chose another folder."""
    return data_dir() / "backups"


def inject_library_dir() -> Path:
    """The user's inject library: one scenario JSON file per saved inject (not created here)."""
    return data_dir() / "inject-library"


def msel_layouts_dir() -> Path:
    """Where the MSEL import keeps the column choices made for each spreadsheet layout (not created here)."""
    return data_dir() / "msel-layouts"


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def documents_dir() -> Path:
    """Where save dialogs start the first time: the user's documents folder."""
    return Path(platformdirs.user_documents_dir())


def device_id(directory: Path | None = None) -> str:
    """A stable id for this laptop, so log entries from several note-takers can be merged without clashes.

    Created once and kept in the settings folder; a damaged file is replaced rather than trusted.
    """
    path = (directory or config_dir()) / DEVICE_ID_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
        return str(uuid.UUID(text))
    except (OSError, ValueError):
        pass
    value = str(uuid.uuid4())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(value + "\n", encoding="utf-8")
    temporary.replace(path)
    return value
