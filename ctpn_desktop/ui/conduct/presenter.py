"""The presenter display: what the players see on the room's projector or second screen.

It is fed `PresenterSlide`s only, never injects: a slide is built by copying the player-facing fields of an
inject (title, content, delivery method, sender, scenario time, pictures), so controller notes and expected
actions cannot reach the screen by mistake. Every state of the display carries the EXERCISE marking and the
protective marking, top and bottom, so nothing on it can be taken for a real event.

Type is sized from the window's height, so it reads from the back of a room on any projector.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QPixmap, QResizeEvent, QScreen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ctpn_desktop.core.entities import AdhocInject, Inject, Phase

from ctpn_desktop.ui.banner import EXERCISE_TEXT

from ctpn_desktop import APP_NAME


class SlideKind(enum.Enum):
    STAND_BY = "stand-by"
    INJECT = "inject"
    PHASE = "phase"
    PLENARY = "plenary"
    HALT = "halt"


@dataclass(frozen=True, slots=True)
class PresenterSlide:
    """Everything a player-facing screen may show, and nothing else."""

    kind: SlideKind
    title: str = ""
    kicker: str = ""
    """The small line above the title: inject number, delivery method, sender."""
    body: str = ""
    questions: tuple[str, ...] = ()
    images: tuple[bytes, ...] = field(default=(), repr=False)


STAND_BY = PresenterSlide(SlideKind.STAND_BY, "Stand by")

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "image/svg+xml")


def inject_slide(inject: Inject, image_data: Callable[[str], bytes]) -> PresenterSlide:
    """The players' view of a released inject; ``image_data`` gives the bytes of an attachment by id."""
    parts = [f"Inject {inject.number}", inject.delivery_method.label]
    if inject.sender.strip():
        parts.append(f"From: {inject.sender.strip()}")
    images = tuple(image_data(a.id) for a in inject.attachments if a.media_type.lower() in IMAGE_TYPES)
    return PresenterSlide(SlideKind.INJECT, inject.title, " · ".join(parts), inject.content, images=images)


def adhoc_slide(adhoc: AdhocInject) -> PresenterSlide:
    return PresenterSlide(SlideKind.INJECT, adhoc.title, f"Inject A{adhoc.number} · {adhoc.delivery_method.label}",
                          adhoc.content)


def phase_slide(phase: Phase, syndicates: Sequence[str] = ()) -> PresenterSlide:
    """The phase's narrative and its questions; with syndicates, the questions are for every syndicate."""
    kicker = "New phase" + (f" · discuss in your syndicates: {', '.join(syndicates)}" if syndicates else "")
    return PresenterSlide(SlideKind.PHASE, phase.name, kicker, phase.narrative,
                          tuple(q for q in phase.discussion_questions if q.strip()))


def plenary_slide(phase: Phase, syndicates: Sequence[str]) -> PresenterSlide:
    """The plenary step: the syndicates report back in turn on the phase's questions."""
    order = ", then ".join(syndicates)
    return PresenterSlide(SlideKind.PLENARY, f"Plenary read-back: {phase.name}", "Plenary",
                          f"Each syndicate reports back in turn: {order}." if syndicates else "",
                          tuple(q for q in phase.discussion_questions if q.strip()))


def halt_slide() -> PresenterSlide:
    """The reason is for the record, not for the room: the screen says only that play has stopped."""
    return PresenterSlide(SlideKind.HALT, "EXERCISE HALTED", "Real-world emergency",
                          "Play has stopped. This is NOT part of the exercise.\n"
                          "Follow the instructions of the venue staff.")


# Fixed colours, whatever the theme of the facilitator's screen: (background, text, accent, muted).
_LIGHT = ("#ffffff", "#101418", "#0b5394", "#4a525a")
_DARK = ("#0b0c0e", "#f1f1f1", "#ffbf00", "#b8bdc3")
_HALT = ("#b00000", "#ffffff", "#ffffff", "#ffe0e0")


class _Band(QFrame):
    """The marking band: EXERCISE at each end, the protective marking in the middle, white on black."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("presenterBand")
        self.setStyleSheet("QFrame#presenterBand { background: #000000; }"
                           "QLabel { color: #ffffff; background: transparent; }"
                           "QLabel#exerciseText { color: #ffbf00; }")
        layout = QHBoxLayout(self)
        self.left = QLabel(EXERCISE_TEXT, self)
        self.marking = QLabel("", self)
        self.right = QLabel(EXERCISE_TEXT, self)
        for label in (self.left, self.right):
            label.setObjectName("exerciseText")
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.left.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.marking.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.left, 1)
        layout.addWidget(self.marking, 1)
        layout.addWidget(self.right, 1)

    def scale(self, pixels: int) -> None:
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(pixels)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        for label in (self.left, self.marking, self.right):
            label.setFont(font)
        margin = max(4, pixels // 3)
        layout = self.layout()
        assert layout is not None
        layout.setContentsMargins(margin * 3, margin, margin * 3, margin)


class PresenterWindow(QWidget):
    """A top-level window for the players; put it full screen with `show_on(screen)`."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("presenterWindow")
        self.setWindowTitle(f"Presenter display — {APP_NAME}")
        self.setAccessibleName("Presenter display")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the application ends with its main window
        self.slide = STAND_BY
        self.exercise_title = ""
        self._dark = False
        self._images: list[QPixmap] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.top_band = _Band(self)
        self.bottom_band = _Band(self)
        outer.addWidget(self.top_band)
        self.replay_banner = QLabel("", self)
        self.replay_banner.setObjectName("replayBanner")
        self.replay_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.replay_banner.setStyleSheet("QLabel#replayBanner { background: #b00020; color: #ffffff; }")
        self.replay_banner.hide()
        outer.addWidget(self.replay_banner)

        self.page = QWidget(self)
        self.page.setObjectName("presenterPage")
        page = QVBoxLayout(self.page)
        self.page_layout = page
        status = QHBoxLayout()
        self.phase_label = QLabel("", self.page)
        self.phase_label.setObjectName("phase")
        self.phase_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.time_label = QLabel("", self.page)
        self.time_label.setObjectName("scenarioTime")
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status.addWidget(self.phase_label, 3)
        status.addWidget(self.time_label, 2)
        page.addLayout(status)
        self.rule = QFrame(self.page)
        self.rule.setObjectName("rule")
        self.rule.setFixedHeight(3)
        page.addWidget(self.rule)
        page.addStretch(1)
        self.kicker_label = QLabel("", self.page)
        self.kicker_label.setObjectName("kicker")
        self.title_label = QLabel("", self.page)
        self.title_label.setObjectName("title")
        self.body_label = QLabel("", self.page)
        self.body_label.setObjectName("body")
        self.questions_label = QLabel("", self.page)
        self.questions_label.setObjectName("questions")
        self.questions_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.kicker_label, self.title_label, self.body_label, self.questions_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            page.addWidget(label)
        self.body_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.kicker_label.setTextFormat(Qt.TextFormat.PlainText)
        self.images_row = QHBoxLayout()
        self.image_labels: list[QLabel] = []
        page.addLayout(self.images_row)
        page.addStretch(2)
        outer.addWidget(self.page, 1)
        outer.addWidget(self.bottom_band)
        self.set_marking("")
        self._apply_colours()
        self.show_slide(STAND_BY)
        self.resize(1280, 720)

    # What is shown ---------------------------------------------------------------------------------------
    def set_marking(self, marking: str) -> None:
        text = marking.strip().upper()
        for band in (self.top_band, self.bottom_band):
            band.marking.setText(text)
        self.setAccessibleDescription(f"Protective marking: {text}. {EXERCISE_TEXT}")

    @property
    def marking(self) -> str:
        return self.top_band.marking.text()

    def set_replay_banner(self, text: str) -> None:
        """A red strip under the marking that says the display replays a past run (empty: none)."""
        self.replay_banner.setText(text)
        self.replay_banner.setVisible(bool(text))
        self._scale()

    def set_exercise_title(self, title: str) -> None:
        self.exercise_title = title
        if self.slide.kind is SlideKind.STAND_BY:
            self.show_slide(self.slide)

    def set_status(self, scenario_time: str, phase: str) -> None:
        """The story's time and the phase, updated by the conduct screen as the clock runs."""
        if self.time_label.text() != scenario_time:
            self.time_label.setText(scenario_time)
        if self.phase_label.text() != phase:
            self.phase_label.setText(phase)

    def show_slide(self, slide: PresenterSlide) -> None:
        self.slide = slide
        stand_by = slide.kind is SlideKind.STAND_BY
        self.kicker_label.setText(self.exercise_title if stand_by else slide.kicker)
        self.title_label.setText(slide.title)
        self.body_label.setText("Please wait for the facilitator." if stand_by else slide.body)
        self.body_label.setVisible(bool(self.body_label.text()))
        self.kicker_label.setVisible(bool(self.kicker_label.text()))
        if slide.questions:
            items = "".join(f"<li>{_escape(q)}</li>" for q in slide.questions)
            self.questions_label.setText(f"<p><b>For discussion</b></p><ol>{items}</ol>")
        else:
            self.questions_label.setText("")
        self.questions_label.setVisible(bool(slide.questions))
        self._set_images(slide.images)
        for label in (self.title_label, self.kicker_label, self.body_label):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter if stand_by or slide.kind is SlideKind.HALT
                               else Qt.AlignmentFlag.AlignLeft)
        self._apply_colours()
        self._scale()

    def visible_text(self) -> str:
        """All the text on the display, as the room can read it (used by tests and accessibility)."""
        labels = [self.top_band.left, self.top_band.marking, self.top_band.right, self.replay_banner, self.phase_label,
                  self.time_label, self.kicker_label, self.title_label, self.body_label, self.questions_label,
                  self.bottom_band.left, self.bottom_band.marking, self.bottom_band.right]
        return "\n".join(label.text() for label in labels if label.isVisibleTo(self) and label.text())

    def _set_images(self, images: Sequence[bytes]) -> None:
        for label in self.image_labels:
            self.images_row.removeWidget(label)
            label.deleteLater()
        self.image_labels = []
        self._images = []
        for data in images:
            pixmap = QPixmap()
            if not pixmap.loadFromData(QByteArray(data)):
                continue  # an unreadable picture is left out rather than shown broken
            self._images.append(pixmap)
            label = QLabel(self.page)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setAccessibleName("Inject picture")
            self.images_row.addWidget(label)
            self.image_labels.append(label)

    # Colours and sizes -----------------------------------------------------------------------------------
    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self._apply_colours()

    def _apply_colours(self) -> None:
        if self.slide.kind is SlideKind.HALT:
            background, text, accent, muted = _HALT
        else:
            background, text, accent, muted = _DARK if self._dark else _LIGHT
        self.setStyleSheet(
            f"QWidget#presenterWindow, QWidget#presenterPage {{ background: {background}; }}"
            f"QWidget#presenterPage QLabel {{ color: {text}; background: transparent; }}"
            f"QLabel#kicker, QLabel#phase {{ color: {accent}; }}"
            f"QLabel#scenarioTime {{ color: {muted}; }}"
            f"QFrame#rule {{ background: {accent}; }}")

    def _scale(self) -> None:
        height = max(self.height(), 360)
        width = max(self.width(), 480)
        unit = min(height / 36, width / 60)
        self.top_band.scale(round(unit * 0.9))
        self.bottom_band.scale(round(unit * 0.9))
        self._font(self.replay_banner, unit * 1.1, bold=True)
        self.replay_banner.setContentsMargins(0, round(unit * 0.4), 0, round(unit * 0.4))
        margin = round(unit * 2.2)
        self.page_layout.setContentsMargins(margin, round(unit), margin, round(unit))
        self.page_layout.setSpacing(round(unit * 0.8))
        halt = self.slide.kind is SlideKind.HALT
        for label in (self.phase_label, self.time_label, self.rule):
            label.setVisible(not halt)
        self._font(self.phase_label, unit * 1.3, bold=True)
        self._font(self.time_label, unit * 1.3, bold=True)
        if self._images:
            room = (width - 2 * margin) // max(1, len(self._images)) - round(unit)
            tall = round(height * 0.35)
            for label, pixmap in zip(self.image_labels, self._images, strict=True):
                label.setPixmap(pixmap.scaled(max(room, 32), max(tall, 32), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        # Long narratives shrink until they fit, never below 60 % of the normal size: a projector shows no
        # scroll bar, and text cut off at the bottom would be lost on the room.
        band = self.top_band.sizeHint().height() * 2
        available = height - band - round(unit) * 2 - round(unit * 1.3) * 2 - round(unit * 0.8) * 6
        text_width = width - 2 * margin
        scale = 1.0
        while True:
            self._scale_text(unit * scale)
            if scale <= 0.6 or self._text_height(text_width) <= available:
                break
            scale -= 0.08

    def _scale_text(self, unit: float) -> None:
        stand_by = self.slide.kind is SlideKind.STAND_BY
        halt = self.slide.kind is SlideKind.HALT
        self._font(self.kicker_label, unit * 1.2, bold=True)
        self._font(self.title_label, unit * (3.6 if stand_by or halt else 2.6), bold=True)
        self._font(self.body_label, unit * 1.6)
        self._font(self.questions_label, unit * 1.4)

    def _text_height(self, width: int) -> int:
        total = sum(label.heightForWidth(width) for label in
                    (self.kicker_label, self.title_label, self.body_label, self.questions_label)
                    if not label.isHidden() and label.text())
        if self._images:
            total += max(label.pixmap().height() for label in self.image_labels)
        return total

    @staticmethod
    def _font(label: QLabel, pixels: float, bold: bool = False) -> None:
        font = QFont(label.font())
        font.setPixelSize(max(10, round(pixels)))
        font.setBold(bold)
        label.setFont(font)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale()

    # Where it is shown -----------------------------------------------------------------------------------
    def show_on(self, screen: QScreen | None) -> None:
        """Full screen on ``screen`` (the window's current screen when None)."""
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape leaves full screen (the facilitator may need the screen back); nothing else is taken here."""
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def screen_names(screens: Sequence[QScreen]) -> list[str]:
    """Names to offer for the screens, unique even when two monitors report the same name."""
    names: list[str] = []
    for index, screen in enumerate(screens):
        size = screen.geometry()
        base = f"{screen.name() or f'Screen {index + 1}'} ({size.width()}×{size.height()})"
        names.append(base if base not in names else f"{base} #{index + 1}")
    return names
