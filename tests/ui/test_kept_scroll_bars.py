"""Scroll bars that keep their last picture look exactly like Qt's own, in every state they pass through."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QScrollBar, QTableWidget, QVBoxLayout, QWidget

from ctpn_desktop.ui.widgets import KeptScrollBar, keep_scroll_bars


def _picture(bar: QScrollBar) -> QImage:
    return bar.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)


def test_a_kept_scroll_bar_shows_what_a_plain_one_shows_after_every_change(qtbot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    kept, plain = KeptScrollBar(Qt.Orientation.Vertical, holder), QScrollBar(Qt.Orientation.Vertical, holder)
    for bar in (kept, plain):
        bar.setFixedSize(16, 400)
        layout.addWidget(bar)
    holder.show()
    qtbot.waitExposed(holder)

    def same() -> None:
        QApplication.processEvents()
        assert _picture(kept) == _picture(plain)

    same()
    for change in (lambda b: b.setRange(0, 1000), lambda b: b.setPageStep(50), lambda b: b.setValue(700),
                   lambda b: b.setRange(0, 300), lambda b: b.setValue(0), lambda b: b.setEnabled(False),
                   lambda b: b.setEnabled(True), lambda b: b.setFixedSize(16, 250),
                   lambda b: b.setLayoutDirection(Qt.LayoutDirection.RightToLeft)):
        for bar in (kept, plain):
            change(bar)
        same()
        same()  # drawn again from the kept picture
    palette = QPalette(kept.palette())
    palette.setColor(QPalette.ColorRole.Button, QColor("#b36b00"))
    for bar in (kept, plain):
        bar.setPalette(palette)
    same()


def test_a_table_given_kept_scroll_bars_scrolls_with_them(qtbot) -> None:
    table = QTableWidget(500, 3)
    qtbot.addWidget(table)
    keep_scroll_bars(table)
    table.resize(300, 200)
    table.show()
    qtbot.waitExposed(table)
    bar = table.verticalScrollBar()
    assert isinstance(bar, KeptScrollBar) and isinstance(table.horizontalScrollBar(), KeptScrollBar)
    assert bar.maximum() > 0
    table.scrollToBottom()
    assert bar.value() == bar.maximum()
    assert table.rowAt(table.viewport().height() - 1) == 499
