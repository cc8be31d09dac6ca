"""Baseline for the ``startup`` figure: a bare PySide6 ``QMainWindow``, started exactly like the app.

Run as ``python bench/bare_qt.py`` with ``CTPN_T0`` set to ``time.time()`` taken just before the process was
spawned. On the first paint of the window it prints ``painted <seconds since CTPN_T0>`` and exits, which is
the same contract as ``python -m ctpn_desktop --benchmark-startup DOCUMENT``.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class _FirstPaint(QObject):
    def __init__(self, t0: float) -> None:
        super().__init__()
        self._t0 = t0
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            print(f"painted {time.time() - self._t0:.6f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    t0 = float(os.environ.get("CTPN_T0") or time.time())
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("CTPN Desktop")
    window.resize(1280, 800)
    first_paint = _FirstPaint(t0)
    window.installEventFilter(first_paint)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
