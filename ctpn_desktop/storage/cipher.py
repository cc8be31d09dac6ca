"""Encrypted exercise files: SQLCipher 4 keys, recognising an encrypted file, and opening it.

An encrypted document is a SQLCipher 4 database: every page is encrypted with AES-256 and authenticated with an
HMAC, and the key is derived from the passphrase with PBKDF2-HMAC-SHA512 (256 000 iterations, SQLCipher 4's
defaults) and a random 16-byte salt kept in the first bytes of the file. Nothing in such a file is readable
without the passphrase, not even that it is an exercise.

The key is derived here, once per file and passphrase, exactly as SQLCipher derives it, and handed to every
connection as a raw key: a connection then opens at once instead of spending a quarter of a second on the
derivation each time. Only the derived key is held, while the document is open; the passphrase itself is never
kept, written or logged.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ctpn_desktop.core.errors import EncryptionUnavailable, PassphraseRefused

KDF_ITERATIONS = 256_000
"""SQLCipher 4's default PBKDF2-HMAC-SHA512 iteration count."""
SALT_BYTES = 16
KEY_BYTES = 32
PAGE_SIZE = 4096
"""SQLCipher 4's default page size: an encrypted file is always whole pages of it."""
MIN_PASSPHRASE = 1

UNAVAILABLE_PROBLEM = ("encryption is not available in this installation (the SQLCipher library, package "
                       "'sqlcipher3-wheels', is missing for this system), so encrypted exercises cannot be opened "
                       "or made here")

_FOREIGN_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"GIF8",
                  b"\xd0\xcf\x11\xe0")
"""Signatures of compressed formats, whose bytes look random too; four bytes or more, so that a random salt
starts with one of them once in a billion files at most."""


def sqlcipher_module() -> ModuleType | None:
    """The SQLCipher DB-API module, or None where this installation has none."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        return None
    return dbapi2


def available() -> bool:
    return sqlcipher_module() is not None


def require() -> ModuleType:
    module = sqlcipher_module()
    if module is None:
        raise EncryptionUnavailable(UNAVAILABLE_PROBLEM)
    return module


@dataclass(frozen=True)
class DocumentKey:
    """The AES key of one encrypted file (derived from its passphrase and the file's salt) and that salt.

    ``repr`` shows neither, so the key cannot end up in a log or a traceback."""

    raw: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    def pragma_value(self) -> str:
        """The value of ``PRAGMA key``: the raw key and the salt, so SQLCipher skips its own derivation."""
        return f"\"x'{self.raw.hex()}{self.salt.hex()}'\""

    def __repr__(self) -> str:
        return "DocumentKey(…)"


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase SQLCipher could not use (an empty one would mean no encryption at all)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseRefused("the passphrase is empty")
    if "\x00" in passphrase:
        raise PassphraseRefused("the passphrase holds a NUL character, which cannot be used")


def derive_key(passphrase: str, salt: bytes) -> DocumentKey:
    """The key SQLCipher 4 derives from ``passphrase`` with ``salt`` (PBKDF2-HMAC-SHA512, 256 000 rounds)."""
    check_passphrase(passphrase)
    raw = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES)
    return DocumentKey(raw=raw, salt=salt)


def new_key(passphrase: str) -> DocumentKey:
    """A key with a fresh random salt, for a file being encrypted for the first time (never a salt that would
    make the file look like another kind of file)."""
    salt = secrets.token_bytes(SALT_BYTES)
    while any(salt.startswith(magic) for magic in _FOREIGN_MAGIC) or salt.startswith(b"SQLite"):
        salt = secrets.token_bytes(SALT_BYTES)
    return derive_key(passphrase, salt)


def file_salt(path: Path) -> bytes:
    with Path(path).open("rb") as handle:
        return handle.read(SALT_BYTES)


def key_for_file(path: Path, passphrase: str) -> DocumentKey:
    """The key that opens the encrypted file at ``path`` if ``passphrase`` is its passphrase."""
    return derive_key(passphrase, file_salt(path))


def key_fits(path: Path, key: DocumentKey) -> bool:
    """Whether ``key`` was derived for this very file's salt (a copy or backup made with the same key)."""
    try:
        return file_salt(path) == key.salt
    except OSError:
        return False


def looks_encrypted(header: bytes, size: int) -> bool:
    """Whether a file that is not a plain SQLite database is probably an encrypted exercise.

    SQLCipher leaves nothing recognisable: the file starts with its random salt and the rest is ciphertext. So
    it is recognised by what it is not (no signature of a common file type), by its shape (whole pages) and by
    the look of its first kilobyte (random bytes use nearly all 256 values; text and most formats do not)."""
    return size >= 1024 and not size % 512 and looks_random(header)


def looks_random(header: bytes) -> bool:
    """Whether the first kilobyte of a file looks like ciphertext (and like no common file type): nearly every
    byte value, and nothing that compresses (a pattern, text, a table)."""
    if any(header.startswith(magic) for magic in _FOREIGN_MAGIC):
        return False
    sample = header[:1024]
    return len(sample) == 1024 and len(set(sample)) >= 200 and len(zlib.compress(sample, 9)) > 1000


def connect(module: ModuleType, target: str, key: DocumentKey, **options: Any) -> Any:
    """A SQLCipher connection with ``key`` set before anything else is read (``target`` may be a URI)."""
    connection = module.connect(target, **options)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is reported to people, not to stderr
        connection.execute(f"PRAGMA key = {key.pragma_value()}")
    except BaseException:
        connection.close()
        raise
    return connection


def attach_statement(alias: str, path: Path, key: DocumentKey | None) -> tuple[str, tuple[str]]:
    """``ATTACH`` of another file, encrypted with ``key`` or (None) plain."""
    value = key.pragma_value() if key is not None else "''"
    return f"ATTACH DATABASE ? AS {alias} KEY {value}", (os.fspath(path),)
