"""PostgreSQL for the room's server laptop, carried in the offline kit (``offline_kit.py --with-postgresql``).

Run on a Debian or Ubuntu machine of the same release and architecture as the server laptop, with its apt
mirrors reachable (``apt-get update`` first). It writes into ``KIT/postgresql/``:

- ``debs/``: Debian's ``postgresql`` package and every package it needs that a bare system may lack, as
  ``.deb`` files, with a ``Packages`` index so that apt can read the folder as a repository;
- ``install-postgresql.sh``: run as root on the laptop, with no network: apt installs PostgreSQL from that
  folder and nowhere else (only what the laptop lacks; nothing installed is ever downgraded), then a database
  and a password-protected user are made for the rooms and the server is opened to the room's own network,
  over TLS only.

Which packages: apt itself resolves ``postgresql`` (no recommends) against a *bare system*: the packages marked
Essential on this machine and everything they depend on, which every Debian and Ubuntu installation has. The
dependency alternatives and virtual packages are chosen by apt as it would choose them on the laptop, so the
kit never holds two packages that exclude each other.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SERVER_PACKAGES = ("postgresql",)
DPKG_STATUS = Path("/var/lib/dpkg/status")
OS_RELEASE = Path("/etc/os-release")
_URI_LINE = re.compile(r"^'(?P<uri>[^']+)' (?P<name>\S+) (?P<size>\d+)(?: (?P<hash>\S+))?$")


class KitError(RuntimeError):
    """The PostgreSQL part of the kit cannot be made here; the message says why and what to do."""


@dataclass(frozen=True)
class DebFile:
    name: str
    uri: str
    size: int
    sha256: str

    @property
    def package(self) -> str:
        return self.name.split("_", 1)[0]


def _stanzas(text: str) -> list[tuple[dict[str, str], str]]:
    """The paragraphs of a dpkg status file, each with its fields (continuation lines left out)."""
    found = []
    for paragraph in text.split("\n\n"):
        fields = {}
        for line in paragraph.splitlines():
            match = re.match(r"^([\w.-]+):\s*(.*)$", line)
            if match:
                fields[match.group(1)] = match.group(2)
        if "Package" in fields:
            found.append((fields, paragraph.strip()))
    return found


def _names(field: str) -> list[list[str]]:
    """``a (>= 1) | b:any, c`` → ``[["a", "b"], ["c"]]``: the alternatives of each dependency, names only."""
    groups = []
    for group in field.split(","):
        names = [re.split(r"[\s(:\[]", alternative.strip(), maxsplit=1)[0] for alternative in group.split("|")]
        if any(names):
            groups.append([name for name in names if name])
    return groups


def bare_system_status(status_text: str) -> str:
    """A dpkg status file of a bare system: the installed Essential packages and, recursively, the installed
    packages they depend on (whichever alternative, or provider of a virtual package, is installed here)."""
    installed = [(fields, text) for fields, text in _stanzas(status_text)
                 if fields.get("Status", "").endswith(" installed")]
    by_name: dict[str, list[str]] = {}
    for fields, _text in installed:
        by_name.setdefault(fields["Package"], []).append(fields["Package"])
        for group in _names(fields.get("Provides", "")):
            by_name.setdefault(group[0], []).append(fields["Package"])
    depends = {fields["Package"]: _names(fields.get("Pre-Depends", "")) + _names(fields.get("Depends", ""))
               for fields, _text in installed}
    needed = {fields["Package"] for fields, _text in installed if fields.get("Essential") == "yes"}
    if not needed:
        raise KitError("this machine's dpkg status lists no Essential packages: build the kit on Debian or Ubuntu")
    queue = sorted(needed)
    while queue:
        for group in depends.get(queue.pop(), []):
            for name in (provider for alternative in group for provider in by_name.get(alternative, [])):
                if name not in needed:
                    needed.add(name)
                    queue.append(name)
    return "\n\n".join(text for fields, text in installed if fields["Package"] in needed) + "\n"


def _apt_options(status: Path) -> list[str]:
    return ["-o", f"Dir::State::status={status}", "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
            "--no-install-recommends", "-y"]


def download_list(status: Path, packages: Iterable[str] = SERVER_PACKAGES) -> list[DebFile]:
    """What apt would download to install ``packages`` on the system ``status`` describes."""
    result = subprocess.run(["apt-get", "--print-uris", "-qq", *_apt_options(status), "install", *packages],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise KitError("apt cannot resolve " + " ".join(packages) + " here: "
                       + (result.stderr.strip() or result.stdout.strip()) + " (run apt-get update first)")
    debs = []
    for line in result.stdout.splitlines():
        match = _URI_LINE.match(line.strip())
        if match:
            digest = match.group("hash") or ""
            debs.append(DebFile(match.group("name"), match.group("uri"), int(match.group("size")),
                                digest.removeprefix("SHA256:") if digest.startswith("SHA256:") else ""))
    if not debs:
        raise KitError("apt found nothing to download for " + " ".join(packages))
    return debs


def download(status: Path, folder: Path, packages: Iterable[str] = SERVER_PACKAGES) -> list[Path]:
    """The .deb files into ``folder``, fetched and checked against their hashes by apt itself."""
    (folder / "partial").mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "--download-only", "-qq", *_apt_options(status), "-o",
                    f"Dir::Cache::archives={folder}", "install", *packages], check=True)
    shutil.rmtree(folder / "partial", ignore_errors=True)
    (folder / "lock").unlink(missing_ok=True)
    return sorted(folder.glob("*.deb"))


def packages_index(debs: Iterable[Path]) -> str:
    """A ``Packages`` index of the folder, so that apt on the laptop reads it as a repository."""
    entries = []
    for deb in debs:
        control = subprocess.run(["dpkg-deb", "--field", str(deb)], check=True, capture_output=True,
                                 text=True).stdout.rstrip("\n")
        digest = hashlib.sha256(deb.read_bytes()).hexdigest()
        entries.append(f"{control}\nFilename: ./{deb.name}\nSize: {deb.stat().st_size}\nSHA256: {digest}")
    return "\n\n".join(entries) + "\n"


def release_name(os_release: str) -> str:
    """``debian 12 (bookworm)`` from /etc/os-release: what the laptop must run for these packages."""
    fields = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', os_release, re.MULTILINE))
    return f"{fields.get('ID', 'unknown')} {fields.get('VERSION_ID', '?')} ({fields.get('VERSION_CODENAME', '?')})"


def install_script(release: str, codename: str, architecture: str) -> str:
    return (INSTALL_POSTGRESQL.replace("@RELEASE@", release).replace("@CODENAME@", codename)
            .replace("@ARCH@", architecture))


def write_server_kit(kit: Path) -> Path:
    """``KIT/postgresql/``: the .deb files, their index and ``install-postgresql.sh``."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise KitError("the PostgreSQL part of the kit is gathered on Debian or Ubuntu (apt-get and dpkg-deb)")
    target = kit / "postgresql"
    if target.exists():
        shutil.rmtree(target)
    debs_folder = target / "debs"
    debs_folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="ctpn-pg-kit-") as scratch:
        status = Path(scratch) / "status"
        status.write_text(bare_system_status(DPKG_STATUS.read_text(encoding="utf-8")), encoding="utf-8")
        debs = download(status, debs_folder)
    (debs_folder / "Packages").write_text(packages_index(debs), encoding="utf-8")
    os_release = OS_RELEASE.read_text(encoding="utf-8")
    codename = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', os_release, re.MULTILINE)).get("VERSION_CODENAME", "")
    architecture = subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                                  text=True).stdout.strip()
    script = target / "install-postgresql.sh"
    script.write_text(install_script(release_name(os_release), codename, architecture), encoding="utf-8")
    script.chmod(0o755)
    (target / "CONTENTS.txt").write_text(
        f"PostgreSQL for the room's server, for {release_name(os_release)} on {architecture}.\n"
        "Install as root with: sh install-postgresql.sh (no network is used).\n\n"
        + "\n".join(deb.name for deb in debs) + "\n", encoding="utf-8")
    return target


INSTALL_POSTGRESQL = r"""#!/bin/sh
# Installs PostgreSQL for CTPN Desktop's shared rooms from the packages beside this script, with no network,
# and makes the database and password-protected user the stations join with.
#   sudo sh install-postgresql.sh                 (asks for the room's password)
#   sudo CTPN_ROOM_PASSWORD=... ROOM_USER=control ROOM_DATABASE=ctpn ROOM_NETWORK=samenet sh install-postgresql.sh
# Built for @RELEASE@ on @ARCH@.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOM_USER=${ROOM_USER:-control}
ROOM_DATABASE=${ROOM_DATABASE:-ctpn}
ROOM_NETWORK=${ROOM_NETWORK:-samenet}   # samenet: any address of the networks this laptop is on

if [ "$(id -u)" -ne 0 ]; then
    echo "Run this as root: sudo sh $0" >&2
    exit 1
fi
case "$HERE" in
    *" "*) echo "Copy the kit to a folder whose path has no spaces (apt cannot read it from $HERE)." >&2; exit 1 ;;
esac
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != "@CODENAME@" ] || [ "$(dpkg --print-architecture)" != "@ARCH@" ]; then
    echo "These packages are for @RELEASE@ on @ARCH@; this laptop runs ${PRETTY_NAME:-an unknown system}" >&2
    echo "on $(dpkg --print-architecture). Build the kit on a machine like this laptop." >&2
    exit 1
fi

# apt reads the kit's folder as its only repository: it installs what the laptop lacks and nothing else
# (a PostgreSQL already installed is used as it is, never upgraded or downgraded).
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
echo "deb [trusted=yes] file:$HERE/debs ./" > "$LIST"
APT="-o Dir::Etc::sourcelist=$LIST -o Dir::Etc::sourceparts=/nonexistent -o APT::Get::List-Cleanup=0"
# shellcheck disable=SC2086
apt-get $APT -qq update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get $APT -y --no-install-recommends --no-upgrade install postgresql

VERSION=$(pg_lsclusters -h | awk 'NR == 1 {print $1}')
CLUSTER=$(pg_lsclusters -h | awk 'NR == 1 {print $2}')
if [ -z "$VERSION" ]; then
    VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
    CLUSTER=main
    pg_createcluster "$VERSION" "$CLUSTER" --start
fi
# Stations are let in over TLS only. Debian makes the laptop's own certificate when ssl-cert is installed; one
# that is missing (removed, or a system image that never made it) is made again, or the server cannot start.
SNAKEOIL=/etc/ssl/certs/ssl-cert-snakeoil.pem
CERT=$(pg_conftool -s "$VERSION" "$CLUSTER" show ssl_cert_file 2>/dev/null || echo "$SNAKEOIL")
if [ ! -f "$CERT" ]; then
    if [ "$CERT" = "$SNAKEOIL" ] && command -v make-ssl-cert >/dev/null 2>&1; then
        make-ssl-cert generate-default-snakeoil --force-overwrite
    else
        echo "PostgreSQL's TLS certificate $CERT is missing: put it back (or set ssl_cert_file in" >&2
        echo "/etc/postgresql/$VERSION/$CLUSTER/postgresql.conf) and run this again." >&2
        exit 1
    fi
fi
# A cluster made before, or one whose service did not start (no systemd, a stopped service), is started here.
if [ "$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $4}')" != "online" ]; then
    pg_ctlcluster "$VERSION" "$CLUSTER" start
fi

if [ -z "${CTPN_ROOM_PASSWORD:-}" ]; then
    printf "Password the stations will give for user %s: " "$ROOM_USER"
    stty -echo 2>/dev/null || true
    read -r CTPN_ROOM_PASSWORD
    stty echo 2>/dev/null || true
    echo
fi
if [ -z "$CTPN_ROOM_PASSWORD" ]; then
    echo "A room needs a password; nothing was changed in PostgreSQL's users." >&2
    exit 1
fi

# The user and its database (made once; running the script again only sets the password again). The password
# reaches psql through the environment, never on a command line that others could see.
export CTPN_ROOM_PASSWORD ROOM_USER ROOM_DATABASE
cd /
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
\set user `printf %s "$ROOM_USER"`
\set db `printf %s "$ROOM_DATABASE"`
\set password `printf %s "$CTPN_ROOM_PASSWORD"`
SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL

# Listen on the room's network, over TLS only (Debian's cluster has TLS on, with the laptop's own certificate).
pg_conftool "$VERSION" "$CLUSTER" set listen_addresses '*'
pg_conftool "$VERSION" "$CLUSTER" set ssl on
HBA=/etc/postgresql/$VERSION/$CLUSTER/pg_hba.conf
LINE="hostssl $ROOM_DATABASE $ROOM_USER $ROOM_NETWORK scram-sha-256"
grep -qxF "$LINE" "$HBA" || echo "$LINE" >> "$HBA"
pg_ctlcluster "$VERSION" "$CLUSTER" restart
PORT=$(pg_conftool -s "$VERSION" "$CLUSTER" show port)

echo
echo "PostgreSQL $VERSION is ready for shared rooms. Stations join with the server"
echo "    $ROOM_USER@<this laptop's address>:$PORT/$ROOM_DATABASE"
echo "and the password you gave. This laptop's addresses: $(hostname -I 2>/dev/null || echo '(see ip addr)')"
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gather PostgreSQL for a room's server laptop into a kit.")
    parser.add_argument("kit", type=Path, help="the kit folder; PostgreSQL goes into KIT/postgresql")
    args = parser.parse_args(argv)
    try:
        target = write_server_kit(args.kit.resolve())
    except KitError as error:
        parser.exit(1, f"room_server_kit: {error}\n")
    print(f"PostgreSQL for the room's server: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
