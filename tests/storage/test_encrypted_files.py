"""Encrypted exercise files: what is on the disk, the passphrase, copies, backups, merges and refusals."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.errors import (
    DamagedDocumentError,
    DocumentError,
    EncryptedDocumentError,
    EncryptionUnavailable,
    NotAnExerciseFile,
    PassphraseRefused,
    WrongPassphrase,
)
from ctpn_desktop.core.services.backups import BackupService
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.encryption import (
    change_passphrase,
    confirm_passphrase,
    decrypt_file,
    encrypt_file,
    strength_hint,
    unlock,
)
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage import cipher, db

from tests.factories import library_document, make_older

PASSPHRASE = "lantern harbour seven gulls"
SECRET_TITLE = "OPERATION NIGHTJAR"


def state(path: Path) -> tuple[str, int, list[str]]:
    """The bytes, the modification time and the side files of a file: what "nothing was written" compares."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)))


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A closed, plain exercise whose title and log hold words that must not be readable once encrypted."""
    with library_document(tmp_path) as document:
        scenario = ScenarioService(document)
        scenario.put_exercise(dataclasses.replace(scenario.load().exercise, title=SECRET_TITLE))
        source = FakeTimeSource()
        run = RunService(document, source).create_run("Live")
        log = LogService(document, "laptop-a", source)
        for index in range(3):
            source.advance(5)
            log.append(run.id, LogDraft(kind=LogKind.DECISION, text=f"Evacuate sector {index} NIGHTJAR"),
                       exercise_s=10 * index)
    return document.path


@pytest.fixture
def plain_twin(tmp_path: Path) -> Path:
    """Another plain exercise, in a folder of its own."""
    folder = tmp_path / "twin"
    folder.mkdir()
    with library_document(folder) as document:
        return document.path


@pytest.fixture
def encrypted(plain: Path) -> Path:
    encrypt_file(plain, PASSPHRASE)
    return plain


def test_an_encrypted_file_holds_nothing_readable_and_opens_only_with_its_passphrase(plain: Path) -> None:
    with open_document(plain) as document:
        before = document.summary()
    conversion = encrypt_file(plain, PASSPHRASE)
    assert conversion.encrypted and conversion.log_records == 3 and conversion.rows > 0
    data = plain.read_bytes()
    assert not data.startswith(db.SQLITE_MAGIC) and b"NIGHTJAR" not in data and b"log_record" not in data
    assert PASSPHRASE.encode() not in data
    assert sorted(p.name for p in plain.parent.iterdir()) == [plain.name]  # no temporary file left
    with pytest.raises(EncryptedDocumentError, match="encrypted: it opens with its passphrase"):
        open_document(plain)
    with open_document(plain, passphrase=PASSPHRASE) as document:
        assert document.encrypted and document.summary() == before
        assert LogService(document, "laptop-a", FakeTimeSource()).verify().ok
        assert "DocumentKey(" not in repr(document) and PASSPHRASE not in repr(document)


def test_a_wrong_passphrase_is_said_plainly_and_nothing_is_written(encrypted: Path) -> None:
    before = state(encrypted)
    for attempt in ("lantern harbour seven gull", "", "LANTERN HARBOUR SEVEN GULLS"):
        with pytest.raises((WrongPassphrase, PassphraseRefused)) as refused:
            open_document(encrypted, passphrase=attempt)
        if isinstance(refused.value, WrongPassphrase):
            assert "passphrase does not open this exercise" in refused.value.problem
            assert "Nothing was written" in refused.value.problem
    with pytest.raises(WrongPassphrase):
        decrypt_file(encrypted, "not it")
    with pytest.raises(WrongPassphrase):
        open_document(encrypted, passphrase="not it", read_only=True)
    assert state(encrypted) == before


def test_the_key_is_sqlciphers_own_so_standard_tools_open_the_file(encrypted: Path) -> None:
    """The key derived here (PBKDF2-HMAC-SHA512, 256 000 rounds) is the one SQLCipher 4 derives itself."""
    module = cipher.require()
    connection = module.connect(f"{encrypted.as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA key = 'lantern harbour seven gulls'")
        assert connection.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
        assert connection.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
        assert connection.execute("SELECT title FROM exercise").fetchone()[0] == SECRET_TITLE
    finally:
        connection.close()


def test_copies_and_backups_of_an_encrypted_document_are_encrypted_too(encrypted: Path, tmp_path: Path) -> None:
    backups = BackupService(tmp_path / "backups")
    with open_document(encrypted, passphrase=PASSPHRASE, backups=backups) as document:
        copy = document.save_copy(tmp_path / "copy.ctpn")
        backup = backups.take(document.path, "open", document.key)
        assert backups.take_if_changed(document.path, key=document.key) is None
    for path in (copy, backup.path):
        assert b"NIGHTJAR" not in path.read_bytes() and db.is_encrypted(path)
        with pytest.raises(EncryptedDocumentError):
            db.check_file(path)
        with open_document(path, passphrase=PASSPHRASE, read_only=True) as opened:
            assert ScenarioService(opened).load().exercise.title == SECRET_TITLE
    assert backups.newest_good(encrypted) is None  # checking a backup needs its key, as opening does
    key = unlock(encrypted, PASSPHRASE)
    assert backups.newest_good(encrypted, key) == backup
    restored = backups.restore_to(backup, tmp_path / "restored.ctpn", key)
    assert db.is_encrypted(restored)
    with open_document(restored, passphrase=PASSPHRASE) as opened:
        assert ScenarioService(opened).load().exercise.title == SECRET_TITLE
    folder_text = b"".join(p.read_bytes() for p in backups.folder.rglob("*") if p.is_file())
    assert PASSPHRASE.encode() not in folder_text and (key.raw if key else b"?") not in folder_text


def test_encrypting_deletes_the_earlier_plain_backups_which_would_keep_it_in_the_clear(plain: Path,
                                                                                      tmp_path: Path) -> None:
    backups = BackupService(tmp_path / "backups")
    backups.take(plain, "manual")
    backups.take(plain, "timer")
    conversion = encrypt_file(plain, PASSPHRASE, backups=backups)
    assert conversion.plain_backups_removed == 2 and "2 earlier unencrypted backup(s)" in conversion.describe()
    assert backups.backups(plain) == []
    with open_document(plain, passphrase=PASSPHRASE) as document:
        backups.take(document.path, "open", document.key)
    assert [backups.encrypted(b) for b in backups.backups(plain)] == [True]


def test_removing_the_encryption_gives_back_a_plain_file_with_the_same_rows(encrypted: Path) -> None:
    counts = db.table_counts(encrypted, unlock(encrypted, PASSPHRASE))
    conversion = decrypt_file(encrypted, PASSPHRASE)
    assert not conversion.encrypted
    assert encrypted.read_bytes().startswith(db.SQLITE_MAGIC) and db.table_counts(encrypted) == counts
    with open_document(encrypted) as document:
        assert not document.encrypted and ScenarioService(document).load().exercise.title == SECRET_TITLE
    with pytest.raises(DocumentError, match="not encrypted"):
        decrypt_file(encrypted, PASSPHRASE)


NEW_PASSPHRASE = "granary bell under the viaduct"


def test_a_new_passphrase_opens_the_same_rows_and_the_old_one_no_longer_does(encrypted: Path) -> None:
    old_key = unlock(encrypted, PASSPHRASE)
    counts = db.table_counts(encrypted, old_key)
    encrypted.chmod(0o600)
    conversion = change_passphrase(encrypted, PASSPHRASE, NEW_PASSPHRASE)
    assert conversion.encrypted and conversion.passphrase_changed and "new passphrase" in conversion.describe()
    assert db.is_encrypted(encrypted) and b"NIGHTJAR" not in encrypted.read_bytes().upper()
    assert cipher.file_salt(encrypted) != old_key.salt  # a new salt, so the old key cannot be reused either
    assert encrypted.stat().st_mode & 0o777 == 0o600
    with pytest.raises(WrongPassphrase):
        open_document(encrypted, passphrase=PASSPHRASE)
    assert db.table_counts(encrypted, unlock(encrypted, NEW_PASSPHRASE)) == counts
    with open_document(encrypted, passphrase=NEW_PASSPHRASE) as document:
        assert document.encrypted and ScenarioService(document).load().exercise.title == SECRET_TITLE
        assert LogService(document, "laptop-b", FakeTimeSource()).verify().ok
    leftovers = [p.name for p in encrypted.parent.iterdir() if p.name != encrypted.name
                 and not p.name.startswith(f"{encrypted.name}-")]
    assert leftovers == [], "no other file, plain or partial, is left beside it"


def test_a_passphrase_change_with_a_wrong_or_refused_passphrase_writes_nothing(encrypted: Path,
                                                                              plain_twin: Path) -> None:
    before = state(encrypted)
    with pytest.raises(WrongPassphrase):
        change_passphrase(encrypted, "not the passphrase", NEW_PASSPHRASE)
    with pytest.raises(PassphraseRefused):
        change_passphrase(encrypted, PASSPHRASE, "")
    assert state(encrypted) == before
    with pytest.raises(DocumentError, match="not encrypted"):
        change_passphrase(plain_twin, PASSPHRASE, NEW_PASSPHRASE)
    assert open_document(encrypted, passphrase=PASSPHRASE).close() is None


def test_a_file_keeps_its_permissions_through_encryption(plain: Path) -> None:
    plain.chmod(0o600)
    encrypt_file(plain, PASSPHRASE)
    assert plain.stat().st_mode & 0o777 == 0o600


def test_an_encrypted_file_is_encrypted_once_only(encrypted: Path) -> None:
    before = state(encrypted)
    with pytest.raises(DocumentError, match="encrypted already"):
        encrypt_file(encrypted, "another passphrase entirely")
    assert state(encrypted) == before


def test_an_encrypted_copy_merges_with_a_plain_copy_both_ways(plain: Path, tmp_path: Path) -> None:
    source = FakeTimeSource()
    with open_document(plain) as document:
        run_id = RunService(document, source).list_runs()[0].id
        laptop_b = document.save_copy(tmp_path / "b.ctpn")
    with open_document(laptop_b) as other:
        LogService(other, "laptop-b", source).append(run_id, LogDraft(kind=LogKind.ACTION, text="Cordon B"),
                                                     exercise_s=99)
    encrypt_file(laptop_b, "laptop b's own passphrase")
    with open_document(plain) as document:
        with pytest.raises(EncryptedDocumentError, match="other copy is encrypted"):
            merge_from(document, laptop_b)
        with pytest.raises(WrongPassphrase):
            merge_from(document, laptop_b, passphrase=PASSPHRASE)
        report = merge_from(document, laptop_b, passphrase="laptop b's own passphrase")
        assert report.entries_added == 1
    encrypt_file(plain, PASSPHRASE)
    with open_document(plain, passphrase=PASSPHRASE) as document:
        LogService(document, "laptop-a", source).append(run_id, LogDraft(kind=LogKind.ACTION, text="Cordon A2"),
                                                        exercise_s=110)
    with open_document(laptop_b, passphrase="laptop b's own passphrase") as other:
        LogService(other, "laptop-b", source).append(run_id, LogDraft(kind=LogKind.ACTION, text="Cordon C"),
                                                     exercise_s=120)
    decrypt_file(laptop_b, "laptop b's own passphrase")
    with open_document(laptop_b) as other:  # plain B takes in encrypted A
        assert merge_from(other, plain, passphrase=PASSPHRASE).entries_added == 1
    with open_document(plain, passphrase=PASSPHRASE) as document:  # encrypted A takes in plain B
        assert merge_from(document, laptop_b).entries_added == 1
        assert LogService(document, "laptop-a", source).verify().ok
    assert db.is_encrypted(plain) and not db.is_encrypted(laptop_b)


def test_a_copy_of_an_encrypted_document_merges_without_asking_again(encrypted: Path, tmp_path: Path) -> None:
    with open_document(encrypted, passphrase=PASSPHRASE) as document:
        copy = document.save_copy(tmp_path / "b.ctpn")
        assert not merge_from(document, copy).changed  # the same key opens it: nothing to ask


def test_an_older_encrypted_file_is_migrated_after_an_encrypted_backup(encrypted: Path, tmp_path: Path) -> None:
    decrypt_file(encrypted, PASSPHRASE)
    make_older(encrypted)
    encrypt_file(encrypted, PASSPHRASE)
    backups = BackupService(tmp_path / "backups")
    with open_document(encrypted, passphrase=PASSPHRASE, backups=backups) as document:
        assert document.migrated_from == "0001" and document.backup_path is not None
        assert db.is_encrypted(document.backup_path)
    with pytest.raises(EncryptedDocumentError):
        db.check_file(document.backup_path)
    assert db.check_file(document.backup_path, unlock(document.backup_path, PASSPHRASE)).revision == "0001"


def test_an_encrypted_file_on_a_read_only_medium_opens_read_only(encrypted: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only files")
    encrypted.chmod(0o444)
    before = state(encrypted)
    with open_document(encrypted, passphrase=PASSPHRASE) as document:
        assert document.read_only and document.encrypted
        assert ScenarioService(document).load().exercise.title == SECRET_TITLE
    assert state(encrypted) == before


def test_files_that_only_look_random_are_told_apart(tmp_path: Path, encrypted: Path) -> None:
    noise = tmp_path / "noise.ctpn"
    noise.write_bytes(os.urandom(8192))
    with pytest.raises(EncryptedDocumentError):  # indistinguishable from an encrypted exercise until keyed
        db.check_file(noise)
    with pytest.raises(WrongPassphrase):
        open_document(noise, passphrase=PASSPHRASE)
    text = tmp_path / "notes.ctpn"
    text.write_text("minutes of the planning meeting\n" * 200, encoding="utf-8")
    with pytest.raises(NotAnExerciseFile, match="nor an encrypted exercise"):
        db.check_file(text)
    archive = tmp_path / "pack.ctpn"
    archive.write_bytes(b"PK\x03\x04" + os.urandom(8188))
    with pytest.raises(NotAnExerciseFile):
        db.check_file(archive)
    truncated = tmp_path / "truncated.ctpn"
    truncated.write_bytes(encrypted.read_bytes()[:5000])
    with pytest.raises(DamagedDocumentError, match="truncated"):
        db.check_file(truncated)
    damaged = tmp_path / "damaged.ctpn"
    data = bytearray(encrypted.read_bytes())
    data[3 * cipher.PAGE_SIZE + 100] ^= 0xFF  # one byte of a later page: its HMAC no longer matches
    damaged.write_bytes(bytes(data))
    with pytest.raises(DamagedDocumentError):
        db.check_file(damaged, unlock(encrypted, PASSPHRASE))


def test_passphrases_are_checked_before_anything_is_encrypted(plain: Path) -> None:
    before = state(plain)
    with pytest.raises(PassphraseRefused, match="empty"):
        encrypt_file(plain, "")
    with pytest.raises(PassphraseRefused, match="differ"):
        confirm_passphrase("lantern harbour", "lantern harbor")
    assert state(plain) == before
    assert strength_hint("abc").startswith("Very weak")
    assert strength_hint("Harbour2026").startswith("Weak")
    assert strength_hint("lantern harbour seven gulls") == "Strong."


def test_without_sqlcipher_encryption_says_plainly_that_it_is_unavailable(encrypted: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cipher, "sqlcipher_module", lambda: None)
    assert not cipher.available()
    with pytest.raises(EncryptionUnavailable, match="encryption is not available in this installation"):
        open_document(encrypted, passphrase=PASSPHRASE)
    with pytest.raises(EncryptionUnavailable):
        decrypt_file(encrypted, PASSPHRASE)
