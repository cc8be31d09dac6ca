"""Exports that run on a worker thread, with a progress dialog that can cancel them.

The job (a plain callable taking a progress callback) reads the document and writes the file on a `QThread`;
progress comes back to the window through a queued signal, so the window keeps painting and answering. Cancel
makes the next progress report raise `ExportCancelled` on the worker: the renderers then delete their partial
file and any earlier file of that name is left as it was.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QProgressDialog, QWidget

from ctpn_desktop.core.errors import CtpnError

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Job = Callable[[Progress], Path]

STEPS = 1000


class ExportCancelled(Exception):
    """The person asked to stop the export."""


class _Worker(QObject):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, job: Job, stop: threading.Event) -> None:
        super().__init__()
        self._job = job
        self._stop = stop

    def _progress(self, fraction: float, message: str) -> None:
        if self._stop.is_set():
            raise ExportCancelled
        self.progressed.emit(fraction, message)

    @Slot()
    def run(self) -> None:
        try:
            path = self._job(self._progress)
        except ExportCancelled:
            self.cancelled.emit()
        except (CtpnError, OSError, ValueError) as error:
            self.failed.emit(str(error))
        except Exception as error:  # the last line of defence: report it, never take the window down
            log.exception("export failed")
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.succeeded.emit(path)
        finally:
            # End the thread from here: the window may be waiting for it (closing the document), so it cannot
            # rely on the window's event loop to deliver a quit.
            thread = self.thread()
            if thread is not None:
                thread.quit()


class BackgroundExport(QObject):
    """One export on its own thread, shown in a window-modal progress dialog; emits `finished` at the end with the
    written path, or None when it failed or was cancelled (``error`` then says why, empty when cancelled)."""

    finished = Signal(object)

    def __init__(self, parent: QWidget, title: str, job: Job, *, open_when_done: bool = True) -> None:
        super().__init__(parent)
        self.error = ""
        self.path: Path | None = None
        self._open_when_done = open_when_done
        self._stop = threading.Event()
        self.dialog = QProgressDialog(f"{title}…", "Cancel", 0, STEPS, parent)
        self.dialog.setObjectName("exportProgress")
        self.dialog.setWindowTitle(title)
        self.dialog.setAccessibleName(f"{title} progress")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        self.dialog.canceled.connect(self.cancel)
        self._thread = QThread(self)
        self._worker = _Worker(job, self._stop)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._progressed)
        self._worker.succeeded.connect(self._succeeded)
        self._worker.failed.connect(self._failed)
        self._worker.cancelled.connect(self._cancelled)

    def start(self) -> None:
        self.dialog.setValue(0)
        self.dialog.show()
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def cancel(self) -> None:
        self._stop.set()
        self.dialog.setLabelText("Stopping…")

    def wait(self, milliseconds: int = 30_000) -> bool:
        return self._thread.wait(milliseconds)

    @Slot(float, str)
    def _progressed(self, fraction: float, message: str) -> None:
        if not self._stop.is_set():
            self.dialog.setValue(max(self.dialog.value(), int(max(0.0, min(1.0, fraction)) * STEPS)))
            self.dialog.setLabelText(message)

    def _finish(self, path: Path | None) -> None:
        self._thread.quit()
        self._thread.wait()
        self.dialog.close()
        self.dialog.deleteLater()
        self.finished.emit(path)

    @Slot(object)
    def _succeeded(self, path: Path) -> None:
        self.path = path
        if self._open_when_done:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self._finish(path)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.error = message
        self._finish(None)

    @Slot()
    def _cancelled(self) -> None:
        self._finish(None)


__all__ = ["BackgroundExport", "ExportCancelled", "Job", "Progress"]
