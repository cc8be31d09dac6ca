"""The Qt binding must keep Python's None alive: the conduct screen makes thousands of Qt calls a minute.

PySide6 6.12.0 under Python 3.11 returns None from every void method without taking a reference, so each call
drops None's reference count by one and the process aborts ("deallocating None") after a few thousand calls.
`pyproject.toml` excludes it; this test catches any binding with the same fault.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel

CALLS = 20_000


def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    image = QImage(16, 16, QImage.Format.Format_RGB32)
    colour = QColor("#336699")
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            label.setText("x")
            painter.setPen(colour)
        after = sys.getrefcount(None)
    finally:
        painter.end()
    assert abs(after - before) < CALLS // 10, f"None lost {before - after} references in {2 * CALLS} calls"
