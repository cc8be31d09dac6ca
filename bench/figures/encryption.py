"""Encrypted documents: opening one against opening the same exercise unencrypted."""

from __future__ import annotations

import shutil

from bench.figures.msel import open_in_msel_view
from bench.generate import generate_exercise
from bench.harness import BenchmarkUnavailable, Figure, median, qt_app, repeat, runs

PASSPHRASE = "benchmark kestrel over the quay"


def open_5000_encrypted() -> Figure:
    """Median time to open an encrypted 5,000-inject document (key derivation included: PBKDF2-HMAC-SHA512,
    256 000 rounds, once per open) and show it in the MSEL table.

    Baseline: the same exercise, not encrypted, opened and shown the same way in the same run."""
    from ctpn_desktop.core.services.encryption import encrypt_file
    from ctpn_desktop.storage import cipher

    if not cipher.available():
        raise BenchmarkUnavailable(cipher.UNAVAILABLE_PROBLEM)
    plain = generate_exercise(injects=5000)
    encrypted = plain.with_name(f"{plain.stem}-encrypted{plain.suffix}")
    encrypted.unlink(missing_ok=True)
    shutil.copyfile(plain, encrypted)
    encrypt_file(encrypted, PASSPHRASE)
    qt_app()
    count = runs(5)
    app = median(repeat(lambda: open_in_msel_view(encrypted, PASSPHRASE), count))
    baseline = median(repeat(lambda: open_in_msel_view(plain), count))
    return Figure("open_5000_encrypted", app * 1000, "ms", baseline * 1000,
                  "the same exercise unencrypted, opened and shown the same way")
