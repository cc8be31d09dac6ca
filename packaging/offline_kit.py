"""Gather everything needed to install CTPN Desktop on an air-gapped laptop into one folder of wheels.

    python packaging/offline_kit.py [--target linux-x86_64|linux-aarch64|windows-x86_64|macos-arm64|macos-x86_64]
                                    [--python-version 3.11] [--dest DIR] [--with-postgresql]

Run it on any machine that reaches the package registry, with the laptop's system and Python version as
the target. The folder it writes holds the application's own wheel, every dependency as a binary wheel for
that target, and install scripts that use nothing but those files (``pip install --no-index``). Copy the
folder to the laptop (USB stick) and run ``install.sh`` (Linux, macOS) or ``install.bat`` (Windows) there.

``--with-postgresql`` (on Debian or Ubuntu, as root, mirrors reachable) adds ``postgresql/``: Debian's PostgreSQL
as .deb files and ``install-postgresql.sh``, for the laptop that serves a shared room (see ``room_server_kit``).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ctpn-desktop"

# pip takes platform tags literally: the glibc versions (manylinux) and macOS versions a target accepts are
# listed, newest first, up to the oldest system the application supports (glibc 2.34: Debian 12, Ubuntu 22.04,
# RHEL 9; macOS 12).
_GLIBC = [f"manylinux_2_{minor}" for minor in range(39, 16, -1)] + ["manylinux2014"]
TARGETS: dict[str, list[str]] = {
    "linux-x86_64": [f"{tag}_x86_64" for tag in _GLIBC],
    "linux-aarch64": [f"{tag}_aarch64" for tag in _GLIBC],
    "windows-x86_64": ["win_amd64"],
    "macos-arm64": [f"macosx_{major}_0_{arch}" for major in range(15, 10, -1) for arch in ("arm64", "universal2")],
    "macos-x86_64": [f"macosx_{major}_{minor}_{arch}" for major, minor in
                     [(15, 0), (14, 0), (13, 0), (12, 0), (11, 0), (10, 15), (10, 14), (10, 13), (10, 12),
                      (10, 9)] for arch in ("x86_64", "universal2")],
}

INSTALL_SH = """#!/bin/sh
# Installs CTPN Desktop from the wheels beside this script, with no network.
#   sh install.sh [FOLDER]    (default: ~/.local/share/ctpn-desktop/venv)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-"$HOME/.local/share/ctpn-desktop/venv"}
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (@MAJOR@, @MINOR@) else 1)' || {
    echo "This kit is for Python @MAJOR@.@MINOR@; $PYTHON is $("$PYTHON" -V 2>&1)." >&2
    echo "Name the right one: PYTHON=/path/to/python@MAJOR@.@MINOR@ sh install.sh" >&2
    exit 1
}
"$PYTHON" -m venv "$TARGET"
"$TARGET/bin/python" -m pip install --no-index --find-links "$HERE/wheels" @PACKAGE@
echo "Installed. Start it with: $TARGET/bin/ctpn-desktop"
"""

INSTALL_BAT = """@echo off
rem Installs CTPN Desktop from the wheels beside this script, with no network.
rem   install.bat [FOLDER]    (default: %LOCALAPPDATA%\\CTPN Desktop\\venv)
setlocal
set "HERE=%~dp0"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%LOCALAPPDATA%\\CTPN Desktop\\venv"
py -@MAJOR@.@MINOR@ -m venv "%TARGET%" || exit /b 1
"%TARGET%\\Scripts\\python.exe" -m pip install --no-index --find-links "%HERE%wheels" @PACKAGE@ || exit /b 1
echo Installed. Start it with: "%TARGET%\\Scripts\\ctpn-desktop.exe"
"""


def current_target() -> str:
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "aarch64"}.get(machine, machine)
    if sys.platform.startswith("linux"):
        return f"linux-{arch}"
    if sys.platform == "win32":
        return "windows-x86_64"
    if sys.platform == "darwin":
        return "macos-arm64" if arch in {"arm64", "aarch64"} else "macos-x86_64"
    raise SystemExit(f"no kit target for {sys.platform} {machine}; name one with --target")


def build_wheel(folder: Path) -> Path:
    """The application's own wheel, built from this checkout."""
    with tempfile.TemporaryDirectory(prefix="ctpn-wheel-") as scratch:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", scratch, str(ROOT)],
                       check=True)
        built = next(Path(scratch).glob("ctpn_desktop-*.whl"))
        return Path(shutil.copy2(built, folder / built.name))


def download_dependencies(wheel: Path, folder: Path, target: str, python_version: str) -> None:
    """Every dependency of ``wheel`` as a binary wheel for the target; no source builds on the laptop."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--dest", str(folder),
               "--python-version", python_version, "--implementation", "cp"]
    for tag in TARGETS[target]:
        command += ["--platform", tag]
    subprocess.run([*command, str(wheel)], check=True)


def _fill(template: str, major: int, minor: int) -> str:
    return template.replace("@MAJOR@", str(major)).replace("@MINOR@", str(minor)).replace("@PACKAGE@", PACKAGE)


def write_kit(dest: Path, target: str, python_version: str) -> Path:
    major, minor = (int(part) for part in python_version.split(".")[:2])
    wheels = dest / "wheels"
    if dest.exists():
        shutil.rmtree(dest)
    wheels.mkdir(parents=True)
    wheel = build_wheel(wheels)
    download_dependencies(wheel, wheels, target, python_version)
    (dest / "install.sh").write_text(_fill(INSTALL_SH, major, minor), encoding="utf-8")
    (dest / "install.sh").chmod(0o755)
    (dest / "install.bat").write_text(_fill(INSTALL_BAT, major, minor).replace("\n", "\r\n"), encoding="utf-8")
    names = sorted(path.name for path in wheels.glob("*.whl"))
    (dest / "CONTENTS.txt").write_text(
        f"CTPN Desktop offline install kit for {target}, Python {major}.{minor}\n"
        f"Install with install.sh (Linux, macOS) or install.bat (Windows); no network is used.\n\n"
        + "\n".join(names) + "\n", encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gather the wheels to install CTPN Desktop without a network.")
    parser.add_argument("--target", choices=sorted(TARGETS), default=None,
                        help="the laptop's system (default: this machine's)")
    parser.add_argument("--python-version", default=f"{sys.version_info.major}.{sys.version_info.minor}",
                        help="the laptop's Python, major.minor (default: this Python's)")
    parser.add_argument("--dest", type=Path, default=None, help="the kit folder (default: dist/offline-kit-TARGET)")
    parser.add_argument("--with-postgresql", action="store_true",
                        help="add PostgreSQL for the room's server laptop: Debian's packages and "
                             "install-postgresql.sh (build on the laptop's Debian/Ubuntu release)")
    args = parser.parse_args(argv)
    target = args.target or current_target()
    dest = args.dest or ROOT / "dist" / f"offline-kit-{target}-py{args.python_version}"
    write_kit(dest.resolve(), target, args.python_version)
    print(f"Offline kit for {target}, Python {args.python_version}: {dest}")
    if args.with_postgresql:
        import room_server_kit

        try:
            server = room_server_kit.write_server_kit(dest.resolve())
        except room_server_kit.KitError as error:
            parser.exit(1, f"offline_kit: {error}\n")
        print(f"PostgreSQL for the room's server: {server}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
