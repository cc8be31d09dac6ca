"""The protective-marking banner shown above (and below) every screen while an exercise is open.

It keeps its own fixed colours, independent of the theme, so the marking always reads the same: white
capitals on black, and amber "EXERCISE EXERCISE EXERCISE" so nobody mistakes play for a real incident.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.widgets import IconLabel

EXERCISE_TEXT = "EXERCISE EXERCISE EXERCISE"

_STYLE = """
QFrame#markingBanner { background: #000000; border-bottom: 2px solid #ffbf00; }
QFrame#markingBanner[position="bottom"] { border-bottom: none; border-top: 2px solid #ffbf00; }
QFrame#markingBanner QLabel { color: #ffffff; background: transparent; }
QFrame#markingBanner QLabel#exerciseText { color: #ffbf00; }
"""


class MarkingBanner(QFrame):
    def __init__(self, position: str = "top", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("markingBanner")
        self.setProperty("position", position)
        self.setStyleSheet(_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 4)
        self.left = QLabel(EXERCISE_TEXT, self)
        self.marking_label = QLabel("", self)
        self.right = QLabel(EXERCISE_TEXT, self)
        self.marking_label.setObjectName("markingText")
        self.marking_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.left, self.right):
            label.setObjectName("exerciseText")
            # The reminders give way on a narrow window; the marking itself never does.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.left.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.left, 1)
        layout.addWidget(self.marking_label, 1)
        layout.addWidget(self.right, 1)
        self._apply_fonts()
        self.set_marking(None)

    def _apply_fonts(self) -> None:
        base = QFont(QApplication.font())
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        strong = QFont(base)
        strong.setBold(True)
        strong.setPointSizeF(size * 1.15)
        strong.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        self.marking_label.setFont(strong)
        small = QFont(base)
        small.setBold(True)
        small.setPointSizeF(size * 0.9)
        self.left.setFont(small)
        self.right.setFont(small)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_fonts()
        return super().event(event)

    def set_marking(self, marking: str | None) -> None:
        """Show ``marking`` in capitals; None hides the banner (no exercise open)."""
        text = (marking or "").strip().upper()
        self.marking_label.setText(text)
        self.setVisible(marking is not None)
        name = f"Protective marking: {text}. {EXERCISE_TEXT}" if text else "No exercise open"
        self.setAccessibleName(name)
        self.marking_label.setAccessibleName(f"Protective marking: {text}")

    @property
    def marking(self) -> str:
        return self.marking_label.text()


_READ_ONLY_STYLE = """
QFrame#readOnlyBanner { background: #fff3c4; border-bottom: 1px solid #b58900; }
QFrame#readOnlyBanner QLabel { color: #1a1a1a; background: transparent; }
QFrame#readOnlyBanner QPushButton { color: #1a1a1a; background: #ffffff; border: 1px solid #7a5c00;
                                    border-radius: 3px; padding: 3px 12px; }
QFrame#readOnlyBanner QPushButton:focus { border: 2px solid #000000; }
"""


class ReadOnlyBanner(QFrame):
    """Says plainly that the open exercise cannot be changed, and offers the way out: a writable copy.

    Fixed dark-on-amber colours, like the marking banner, so it reads the same in every theme."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readOnlyBanner")
        self.setStyleSheet(_READ_ONLY_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.setSpacing(10)
        self.icon_label = IconLabel(icons.icon(icons.READ_ONLY, "#1a1a1a"), 20, self)
        layout.addWidget(self.icon_label)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("readOnlyText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.text_label, 1)
        self.copy_button = QPushButton("Save a Writable Copy…", self)
        self.copy_button.setObjectName("readOnlyCopy")
        layout.addWidget(self.copy_button)
        self.hide()

    def show_for(self, file_name: str) -> None:
        text = (f"Read-only: “{file_name}” is on a read-only disk or cannot be written to. You can look at "
                f"everything and export reports; to make changes, save a copy to a writable folder and work on it.")
        self.text_label.setText(text)
        self.setAccessibleName(text)
        self.show()


_OFFLINE_STYLE = """
QFrame#roomBanner { background: #ffd6d1; border-bottom: 1px solid #b3261e; }
QFrame#roomBanner QLabel { color: #1a1a1a; background: transparent; }
"""


class RoomBanner(QFrame):
    """Says plainly when this station has lost the room's server, and what happens to what it writes meanwhile.

    Fixed dark-on-red colours, like the other banners, so it reads the same in every theme."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomBanner")
        self.setStyleSheet(_OFFLINE_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.setSpacing(10)
        self.icon_label = IconLabel(icons.icon(icons.OFFLINE, "#1a1a1a"), 20, self)
        layout.addWidget(self.icon_label)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("roomBannerText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.text_label, 1)
        self.hide()

    def show_offline(self, room_name: str, waiting: int, problem: str) -> None:
        kept = (f" {waiting} {'item is' if waiting == 1 else 'items are'} kept on this laptop and will be sent."
                if waiting else "")
        text = (f"OFFLINE: the server of room “{room_name}” cannot be reached ({problem or 'no answer'}). New log "
                f"entries and releases are saved on this laptop and sent when it is back; the clock cannot be "
                f"changed meanwhile.{kept}")
        self.text_label.setText(text)
        self.setAccessibleName(text)
        self.show()
