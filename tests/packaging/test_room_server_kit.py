"""PostgreSQL for the room's server in the offline kit: the bare system the packages are chosen against, the
install script, and (with ``CTPN_TEST_KIT=1`` on Debian or Ubuntu, as root, mirrors reachable) the packages
gathered and installable from the kit alone with the network switched off — simulated by apt, not installed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import room_server_kit  # noqa: E402

STATUS = """\
Package: dpkg
Status: install ok installed
Essential: yes
Pre-Depends: libc6 (>= 2.34), tar (>= 1.28-1)
Depends: awk

Package: libc6
Status: install ok installed
Architecture: amd64
Depends: libgcc-s1

Package: libgcc-s1
Status: install ok installed
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)

Package: gcc-12-base
Status: install ok installed

Package: tar
Status: install ok installed
Essential: yes
Pre-Depends: libacl1 (>= 2.2.23) | libacl1-other, libc6:any

Package: libacl1
Status: install ok installed

Package: mawk
Status: install ok installed
Provides: awk

Package: perl
Status: install ok installed
Depends: perl-base, libperl5.36

Package: libperl5.36
Status: install ok installed

Package: perl-base
Status: deinstall ok config-files
Essential: yes
"""


def _packages(status: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in status.splitlines() if line.startswith("Package: ")]


def test_the_bare_system_is_what_the_essential_packages_need() -> None:
    bare = room_server_kit.bare_system_status(STATUS)
    assert sorted(_packages(bare)) == ["dpkg", "gcc-12-base", "libacl1", "libc6", "libgcc-s1", "mawk", "tar"]
    # perl is installed but nothing essential needs it; a removed package is not on any system
    assert "Provides: awk" in bare and "Architecture: amd64" in bare  # the stanzas are kept whole


def test_a_machine_without_essential_packages_is_not_a_build_machine() -> None:
    with pytest.raises(room_server_kit.KitError, match="Debian or Ubuntu"):
        room_server_kit.bare_system_status("Package: x\nStatus: install ok installed\n")


def test_the_install_script_uses_only_the_kit_and_keeps_the_password_off_command_lines(tmp_path: Path) -> None:
    script = room_server_kit.install_script("debian 12 (bookworm)", "bookworm", "amd64")
    path = tmp_path / "install-postgresql.sh"
    path.write_text(script, encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(path)], capture_output=True).returncode == 0
    assert '"@' not in script and "@CODENAME@" not in script
    assert 'echo "deb [trusted=yes] file:$HERE/debs ./"' in script
    assert "-o Dir::Etc::sourcelist=$LIST -o Dir::Etc::sourceparts=/nonexistent" in script  # no other source
    assert '[ "${VERSION_CODENAME:-}" != "bookworm" ]' in script
    assert "--no-install-recommends --no-upgrade install postgresql" in script  # what is installed stays
    assert 'pg_ctlcluster "$VERSION" "$CLUSTER" start' in script  # a stopped cluster is started
    assert "make-ssl-cert generate-default-snakeoil" in script  # a missing certificate is made again
    assert "hostssl $ROOM_DATABASE $ROOM_USER $ROOM_NETWORK scram-sha-256" in script  # TLS and a password
    assert "PASSWORD :'password'" in script and '`printf %s "$CTPN_ROOM_PASSWORD"`' in script
    assert not any("psql" in line and "$CTPN_ROOM_PASSWORD" in line for line in script.splitlines()
                   if "printf" not in line)


def test_the_download_list_is_read_from_apts_answer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    answer = ("'http://deb.debian.org/debian/pool/main/p/postgresql-common/postgresql-common_248_all.deb' "
              "postgresql-common_248_all.deb 170000 SHA256:" + "a" * 64 + "\n"
              "'http://deb.debian.org/debian-security/pool/updates/main/p/postgresql-15/libpq5_15.20_amd64.deb' "
              "libpq5_15.20_amd64.deb 205248 \n")

    def apt(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        assert command[:3] == ["apt-get", "--print-uris", "-qq"] and command[-2:] == ["install", "postgresql"]
        assert f"Dir::State::status={tmp_path / 'status'}" in command and "--no-install-recommends" in command
        return subprocess.CompletedProcess(command, 0, answer, "")

    monkeypatch.setattr(room_server_kit.subprocess, "run", apt)
    debs = room_server_kit.download_list(tmp_path / "status")
    assert [(d.package, d.size, d.sha256) for d in debs] == [("postgresql-common", 170000, "a" * 64),
                                                             ("libpq5", 205248, "")]


@pytest.mark.kit
@pytest.mark.skipif(not os.environ.get("CTPN_TEST_KIT"), reason="the offline kit is tested with CTPN_TEST_KIT=1")
@pytest.mark.skipif(shutil.which("apt-get") is None or not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="PostgreSQL's packages are gathered on Debian or Ubuntu, as root")
def test_the_kit_holds_postgresql_and_installs_from_it_alone_without_a_network(tmp_path: Path) -> None:
    server = room_server_kit.write_server_kit(tmp_path / "kit")
    debs = sorted((server / "debs").glob("*.deb"))
    names = {deb.name.split("_", 1)[0] for deb in debs}
    assert {"postgresql", "postgresql-common", "postgresql-client-common", "libpq5", "ssl-cert"} <= names
    assert any(name.startswith("postgresql-1") for name in names)  # the server of the release's version
    bare = room_server_kit.bare_system_status(room_server_kit.DPKG_STATUS.read_text(encoding="utf-8"))
    essential = {fields["Package"]: fields["Version"] for fields, _ in room_server_kit._stanzas(bare)
                 if fields.get("Essential")}
    for deb in debs:  # every laptop has the Essential packages: one is carried only when a newer one is needed
        package, version = deb.name.split("_")[:2]
        assert package not in essential or version.replace("%3a", ":") != essential[package], deb.name

    index = room_server_kit._stanzas((server / "debs" / "Packages").read_text(encoding="utf-8"))
    assert len(index) == len(debs)
    for fields, _text in index:
        deb = server / "debs" / fields["Filename"].removeprefix("./")
        assert hashlib.sha256(deb.read_bytes()).hexdigest() == fields["SHA256"]
        assert int(fields["Size"]) == deb.stat().st_size
    script = (server / "install-postgresql.sh").read_text(encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(server / "install-postgresql.sh")]).returncode == 0
    assert "@RELEASE@" not in script and "Built for " in script

    # apt, given the kit as its only repository and a bare system, installs postgresql with no network.
    status = tmp_path / "bare-status"
    status.write_text(bare, encoding="utf-8")
    (tmp_path / "lists" / "partial").mkdir(parents=True)
    source = tmp_path / "kit.list"
    source.write_text(f"deb [trusted=yes] file:{server / 'debs'} ./\n", encoding="utf-8")
    options = ["-o", f"Dir::Etc::sourcelist={source}", "-o", "Dir::Etc::sourceparts=/nonexistent",
               "-o", f"Dir::State::Lists={tmp_path / 'lists'}", "-o", f"Dir::State::status={status}",
               "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root"]
    offline = _offline()
    updated = subprocess.run([*offline, "apt-get", *options, "-qq", "update"], capture_output=True, text=True)
    assert updated.returncode == 0, updated.stderr
    simulated = subprocess.run([*offline, "apt-get", *options, "-s", "-y", "--no-install-recommends", "install",
                                "postgresql"], capture_output=True, text=True)
    assert simulated.returncode == 0, simulated.stdout + simulated.stderr
    installed = {line.split()[1] for line in simulated.stdout.splitlines() if line.startswith("Inst ")}
    assert "postgresql" in installed and installed <= names


def _offline() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []
