"""Build the standalone one-folder application for this platform, then check that it runs on its own.

    python packaging/build.py [--dist DIR] [--work DIR] [--no-check]

PyInstaller builds only for the platform it runs on: run this on Linux, Windows and macOS alike (see
packaging/README.md). The check runs the built program with an empty PATH and no Python variables, so a
bundle that still leans on an installed Python fails here and not on an air-gapped laptop.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "ctpn-desktop.spec"
NAME = "ctpn-desktop"


def executable(dist: Path) -> Path:
    """The program inside the built folder (``.exe`` on Windows; the folder itself inside the .app on macOS)."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return dist / NAME / f"{NAME}{suffix}"


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; returns the built folder."""
    if not _has_pyinstaller():
        raise SystemExit("PyInstaller is not installed: pip install -e '.[build]'")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
        cwd=ROOT, check=True,
    )
    folder = dist / NAME
    if sys.platform.startswith("linux"):
        add_desktop_integration(folder)
    return folder


def add_desktop_integration(folder: Path) -> None:
    """The menu entry, file type and icon travel in the folder, with the script that installs them."""
    target = folder / "linux"
    target.mkdir(exist_ok=True)
    for source in (ROOT / "packaging" / "linux").iterdir():
        shutil.copy2(source, target / source.name)
    shutil.copy2(ROOT / "resources" / "icons" / "ctpn-desktop.svg", target / "ctpn-desktop.svg")


def _has_pyinstaller() -> bool:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return False
    return True


def clean_environment(home: Path) -> dict[str, str]:
    """What a fresh account on a laptop without Python would give the program: no PATH, no Python variables."""
    env = {"HOME": str(home), "PATH": "", "CTPN_CONFIG_DIR": str(home / "config"), "LANG": "C.UTF-8"}
    for name in ("SYSTEMROOT", "TEMP", "TMP", "USERPROFILE", "APPDATA", "LOCALAPPDATA"):  # Windows needs these
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def smoke_check(folder: Path) -> None:
    """Make the demo exercise with the built program and read it back, in a clean environment."""
    program = executable(folder.parent)
    with tempfile.TemporaryDirectory(prefix="ctpn-frozen-") as scratch:
        home = Path(scratch)
        env = clean_environment(home)
        document = home / "demo.ctpn"
        for arguments in (["--version"], ["demo", str(document)], ["info", str(document)]):
            result = subprocess.run([str(program), *arguments], env=env, cwd=home, capture_output=True, text=True,
                                    timeout=120)
            if result.returncode != 0:
                raise SystemExit(f"{program.name} {' '.join(arguments)} failed ({result.returncode}):\n"
                                 f"{result.stdout}{result.stderr}")
            print(result.stdout.rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the standalone CTPN Desktop folder for this platform.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the built folder goes (dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's scratch")
    parser.add_argument("--no-check", action="store_true", help="skip running the built program")
    args = parser.parse_args(argv)
    folder = build(args.dist.resolve(), args.work.resolve())
    if not args.no_check:
        smoke_check(folder)
    print(f"Built {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
