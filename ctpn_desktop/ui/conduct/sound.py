"""The optional chime when an inject falls due: a short WAV shipped with the application.

The file is made by `chime_wav()` (a test checks the shipped file is exactly what it makes), so nothing of
unknown origin ships. Qt Multimedia is loaded only when the sound is first wanted; a laptop without a sound
device, or without the audio libraries, stays silent and the visual cue carries on alone.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

from PySide6.QtCore import QObject, QUrl

from ctpn_desktop import paths

SAMPLE_RATE = 22_050
NOTES = ((880.0, 0.16), (1174.66, 0.26))
"""Two rising notes (A5, D6): noticeable in a quiet room without sounding like an alarm."""


def chime_wav() -> bytes:
    """The due chime as a 16-bit mono WAV: two sine notes with a soft attack and decay."""
    frames = bytearray()
    for frequency, seconds in NOTES:
        count = int(SAMPLE_RATE * seconds)
        for index in range(count):
            attack = min(1.0, index / (0.01 * SAMPLE_RATE))
            decay = math.exp(-4.0 * index / count)
            value = 0.45 * attack * decay * math.sin(2 * math.pi * frequency * index / SAMPLE_RATE)
            frames += struct.pack("<h", round(value * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def chime_path() -> Path:
    return paths.resources_dir() / "sounds" / "inject-due.wav"


class DueChime(QObject):
    """Plays the chime if a sound device exists; `play()` says whether it could."""

    def __init__(self, parent: QObject | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self._path = path or chime_path()
        self._effect: QObject | None = None
        self.unavailable_reason = ""

    def _load(self) -> QObject | None:
        if self._effect is not None or self.unavailable_reason:
            return self._effect
        if not self._path.is_file():
            self.unavailable_reason = f"the sound file {self._path.name} is missing"
            return None
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as error:
            self.unavailable_reason = f"sound is not available on this computer ({error})"
            return None
        if not QMediaDevices.audioOutputs():
            self.unavailable_reason = "this computer has no sound output"
            return None
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(self._path)))
        effect.setVolume(0.8)
        self._effect = effect
        return effect

    def play(self) -> bool:
        effect = self._load()
        if effect is None:
            return False
        effect.play()  # type: ignore[attr-defined]
        return True
