"""The timeline: lanes (by phase or by organisation) against exercise time, planned against actual.

A custom-painted scroll area rather than a graphics scene, because it must stay fluid with thousands of
injects: `set_marks` sorts each lane's marks by time once, and a paint draws only the lanes on screen and, in
each, only the marks in the visible time window (found by binary search). The now-line moves without any
rebuild: `set_now` repaints two thin strips.

Each inject has a planned mark (hollow diamond at its planned time), a due mark when it was re-timed or
deferred, and an actual mark (filled circle) where it was released, joined by a line so a late or early
release shows at a glance.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.timeline import DEFAULT_OVERDUE_AFTER_S, InjectState

HEADER_HEIGHT = 28
MIN_LANE_HEIGHT = 34
HIT_RADIUS = 7
MIN_PX_PER_S = 0.02  # about an hour in 72 pixels
MAX_PX_PER_S = 8.0  # a minute in 480 pixels
STATE_COLOURS: dict[InjectState, str] = {
    InjectState.PENDING: "#5c7fa3",
    InjectState.DUE: "#ff9f00",
    InjectState.OVERDUE: "#d32f2f",
    InjectState.WAITING: "#8d7bb8",
    InjectState.HELD: "#8a8f96",
    InjectState.RELEASED: "#2e9e4f",
    InjectState.SKIPPED: "#8a8f96",
}
NOW_COLOUR = "#e53935"
TICK_STEPS_S = (60, 300, 600, 900, 1800, 3600, 7200)


@dataclass(frozen=True, slots=True)
class TimelineMark:
    """One inject in one lane."""

    inject_id: str
    lane: int
    label: str
    planned_s: float
    due_s: float
    released_s: float | None
    fixed_state: InjectState | None
    """Released, skipped or held: states the clock cannot change; None while the clock decides."""
    waiting: bool
    tooltip: str

    def state_at(self, t: float, overdue_after_s: float) -> InjectState:
        """The same rule as `core.timeline.Timeline`, worked out at paint time so that ticks rebuild nothing."""
        if self.fixed_state is not None:
            return self.fixed_state
        if self.due_s > t:
            return InjectState.PENDING
        if self.waiting:
            return InjectState.WAITING
        return InjectState.OVERDUE if t - self.due_s > overdue_after_s else InjectState.DUE

    @property
    def start_s(self) -> float:
        return min(self.planned_s, self.due_s, self.released_s if self.released_s is not None else self.due_s)

    @property
    def end_s(self) -> float:
        return max(self.planned_s, self.due_s, self.released_s if self.released_s is not None else self.due_s)


class _Lane:
    """A lane's marks sorted by their earliest time, with the widest span for the left edge of searches."""

    def __init__(self, marks: list[TimelineMark]) -> None:
        self.marks = sorted(marks, key=lambda m: m.start_s)
        self.starts = [m.start_s for m in self.marks]
        self.widest = max((m.end_s - m.start_s for m in self.marks), default=0.0)

    def visible(self, t0: float, t1: float) -> list[TimelineMark]:
        low = bisect.bisect_left(self.starts, t0 - self.widest)
        high = bisect.bisect_right(self.starts, t1)
        return [m for m in self.marks[low:high] if m.end_s >= t0]


class TimelineView(QAbstractScrollArea):
    """Zoom with Ctrl+wheel or +/-, scroll with the wheel (Shift for time) or the scroll bars; click selects."""

    inject_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineView")
        self.setAccessibleName("Timeline of injects")
        self.setAccessibleDescription("Lanes against exercise time; planned marks are hollow diamonds, releases "
                                      "filled circles, the red line is now")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.lane_names: list[str] = []
        self._lanes: list[_Lane] = []
        self.now_s = 0.0
        self.span_s = 3600.0
        self.px_per_s = 0.25
        self.selected_id: str | None = None
        self.follow_now = True
        self.overdue_after_s = DEFAULT_OVERDUE_AFTER_S
        self._stamps: dict[tuple[str, InjectState, int, float], QPixmap] = {}
        self._gutter = 160
        self._lane_height = MIN_LANE_HEIGHT
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self._update_metrics()

    # Data ------------------------------------------------------------------------------------------------
    def set_marks(self, lane_names: list[str], marks: list[TimelineMark], span_s: float) -> None:
        self.lane_names = list(lane_names)
        by_lane: list[list[TimelineMark]] = [[] for _ in lane_names]
        for mark in marks:
            by_lane[mark.lane].append(mark)
        self._lanes = [_Lane(lane) for lane in by_lane]
        self.span_s = max(span_s, 600.0)
        self._update_metrics()
        self.viewport().update()

    def replace_marks(self, inject_ids: set[str], marks: list[TimelineMark]) -> None:
        """The marks of ``inject_ids`` replaced by ``marks`` (the same lanes): only the lanes they are in are
        sorted again, so a release redraws without rebuilding the whole timeline."""
        touched = {mark.lane for mark in marks}
        for index, lane in enumerate(self._lanes):
            if index not in touched and any(mark.inject_id in inject_ids for mark in lane.marks):
                touched.add(index)
        for index in touched:
            kept = [mark for mark in self._lanes[index].marks if mark.inject_id not in inject_ids]
            self._lanes[index] = _Lane(kept + [mark for mark in marks if mark.lane == index])
        self.viewport().update()

    def set_span(self, span_s: float) -> None:
        """How far the timeline reaches (at least ten minutes)."""
        span_s = max(span_s, 600.0)
        if span_s != self.span_s:
            self.span_s = span_s
            self._update_metrics()
            self.viewport().update()

    def latest_s(self) -> float:
        """The latest time any mark reaches (planned, due or released)."""
        return max((mark.end_s for lane in self._lanes for mark in lane.marks), default=0.0)

    def marks_of(self, inject_id: str) -> list[TimelineMark]:
        return [mark for lane in self._lanes for mark in lane.marks if mark.inject_id == inject_id]

    def mark_count(self) -> int:
        return sum(len(lane.marks) for lane in self._lanes)

    def set_now(self, now_s: float) -> None:
        """Move the now-line, keeping it in view while following; marks turning due change colour with it."""
        if now_s == self.now_s:
            return
        self.now_s = now_s
        if self.follow_now and not self._visible_time(now_s):
            self.scroll_to(now_s)
            return
        self.viewport().update()

    def set_selected(self, inject_id: str | None) -> None:
        if inject_id != self.selected_id:
            self.selected_id = inject_id
            self.viewport().update()

    # Geometry --------------------------------------------------------------------------------------------
    def _update_metrics(self) -> None:
        metrics = QFontMetrics(self.font())
        self._lane_height = max(MIN_LANE_HEIGHT, metrics.height() * 2 + 6)
        widest = max((metrics.horizontalAdvance(name) for name in self.lane_names), default=80)
        self._gutter = min(max(120, widest + 24), 280)
        content_width = round(self.span_s * self.px_per_s) + 80
        visible_width = max(1, self.viewport().width() - self._gutter)
        bar = self.horizontalScrollBar()
        bar.setRange(0, max(0, content_width - visible_width))
        bar.setPageStep(visible_width)
        bar.setSingleStep(40)
        content_height = len(self.lane_names) * self._lane_height
        visible_height = max(1, self.viewport().height() - HEADER_HEIGHT)
        vertical = self.verticalScrollBar()
        vertical.setRange(0, max(0, content_height - visible_height))
        vertical.setPageStep(visible_height)
        vertical.setSingleStep(self._lane_height // 2)

    def _x(self, t: float) -> float:
        return self._gutter + 20 + t * self.px_per_s - self.horizontalScrollBar().value()

    def _t(self, x: float) -> float:
        return (x - self._gutter - 20 + self.horizontalScrollBar().value()) / self.px_per_s

    def _lane_top(self, lane: int) -> int:
        return HEADER_HEIGHT + lane * self._lane_height - self.verticalScrollBar().value()

    def _visible_time(self, t: float) -> bool:
        x = self._x(t)
        return self._gutter <= x <= self.viewport().width()

    def scroll_to(self, t: float) -> None:
        """Bring exercise time ``t`` to a third of the visible width."""
        visible = self.viewport().width() - self._gutter
        self.horizontalScrollBar().setValue(round(t * self.px_per_s + 20 - visible / 3))
        self.viewport().update()

    def set_zoom(self, px_per_s: float, anchor_x: float | None = None) -> None:
        """Zoom keeping the time under ``anchor_x`` (the middle by default) where it is."""
        px_per_s = min(MAX_PX_PER_S, max(MIN_PX_PER_S, px_per_s))
        x = anchor_x if anchor_x is not None else (self._gutter + self.viewport().width()) / 2
        t = self._t(x)
        self.px_per_s = px_per_s
        self._update_metrics()
        self.horizontalScrollBar().setValue(round(t * px_per_s + self._gutter + 20 - x))
        self.viewport().update()

    def zoom_by(self, factor: float, anchor_x: float | None = None) -> None:
        self.set_zoom(self.px_per_s * factor, anchor_x)

    def fit_all(self) -> None:
        visible = max(100, self.viewport().width() - self._gutter - 40)
        self.set_zoom(visible / self.span_s)
        self.horizontalScrollBar().setValue(0)

    def _scrolled(self, _value: int) -> None:
        t = self._t(self.viewport().width() - 1)
        self.follow_now = self._t(self._gutter) <= self.now_s <= t

    # Painting --------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        area = event.rect()
        painter.fillRect(area, palette.color(QPalette.ColorRole.Base))
        width = self.viewport().width()
        t0 = self._t(max(self._gutter, area.left()) - HIT_RADIUS)
        t1 = self._t(area.right() + HIT_RADIUS)
        first_lane = max(0, (self.verticalScrollBar().value()) // self._lane_height)
        last_lane = min(len(self._lanes) - 1,
                        (self.verticalScrollBar().value() + self.viewport().height()) // self._lane_height)
        alternate = palette.color(QPalette.ColorRole.AlternateBase)
        text = palette.color(QPalette.ColorRole.Text)
        grid = QColor(text)
        grid.setAlpha(40)
        painter.setClipRect(QRect(self._gutter, HEADER_HEIGHT, width - self._gutter, self.viewport().height()))
        for lane in range(first_lane, last_lane + 1):
            top = self._lane_top(lane)
            if lane % 2:
                painter.fillRect(QRect(self._gutter, top, width - self._gutter, self._lane_height), alternate)
        self._paint_grid(painter, t0, t1, grid)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        painter.setFont(small)
        metrics = QFontMetrics(small)
        show_labels = self.px_per_s * 60 >= metrics.horizontalAdvance("#000") + 12
        self._paint_marks(painter, first_lane, last_lane, t0, t1, show_labels, metrics, text)
        now_x = round(self._x(self.now_s))
        painter.setPen(QPen(QColor(NOW_COLOUR), 2))
        painter.drawLine(now_x, HEADER_HEIGHT, now_x, self.viewport().height())
        painter.setClipping(False)
        self._paint_header(painter, t0, t1, text, grid)
        self._paint_gutter(painter, first_lane, last_lane, text)
        painter.end()

    def _paint_grid(self, painter: QPainter, t0: float, t1: float, grid: QColor) -> None:
        step = self._tick_step()
        painter.setPen(QPen(grid, 1))
        first = max(0, math.floor(t0 / step)) * step
        t = first
        while t <= t1:
            x = round(self._x(t))
            painter.drawLine(x, HEADER_HEIGHT, x, self.viewport().height())
            t += step

    def _tick_step(self) -> int:
        for step in TICK_STEPS_S:
            if step * self.px_per_s >= 70:
                return step
        return TICK_STEPS_S[-1]

    def _paint_header(self, painter: QPainter, t0: float, t1: float, text: QColor, grid: QColor) -> None:
        width = self.viewport().width()
        painter.fillRect(QRect(0, 0, width, HEADER_HEIGHT), self.palette().color(QPalette.ColorRole.Window))
        painter.setPen(QPen(grid, 1))
        painter.drawLine(0, HEADER_HEIGHT - 1, width, HEADER_HEIGHT - 1)
        painter.setPen(text)
        step = self._tick_step()
        t = max(0, math.floor(t0 / step)) * step
        painter.setClipRect(QRect(self._gutter, 0, width - self._gutter, HEADER_HEIGHT))
        while t <= t1:
            x = round(self._x(t))
            painter.drawLine(x, HEADER_HEIGHT - 6, x, HEADER_HEIGHT - 1)
            painter.drawText(QRect(x + 4, 0, 90, HEADER_HEIGHT - 4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, format_elapsed(t)[:-3])
            t += step
        now_x = round(self._x(self.now_s))
        if self._gutter <= now_x <= width:
            label = format_elapsed(self.now_s)
            box = QRect(now_x - 36, 3, 72, HEADER_HEIGHT - 6)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setBrush(QColor(NOW_COLOUR))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setClipping(False)

    def _paint_gutter(self, painter: QPainter, first_lane: int, last_lane: int, text: QColor) -> None:
        height = self.viewport().height()
        window = self.palette().color(QPalette.ColorRole.Window)
        painter.fillRect(QRect(0, 0, self._gutter, height), window)
        painter.setClipRect(QRect(0, HEADER_HEIGHT, self._gutter, height - HEADER_HEIGHT))
        painter.setPen(text)
        metrics = QFontMetrics(self.font())
        painter.setFont(self.font())
        for lane in range(first_lane, last_lane + 1):
            top = self._lane_top(lane)
            name = metrics.elidedText(self.lane_names[lane], Qt.TextElideMode.ElideRight, self._gutter - 16)
            painter.drawText(QRect(8, top, self._gutter - 12, self._lane_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setClipping(False)
        grid = QColor(text)
        grid.setAlpha(80)
        painter.setPen(QPen(grid, 1))
        painter.drawLine(self._gutter - 1, 0, self._gutter - 1, height)

    def _paint_marks(self, painter: QPainter, first_lane: int, last_lane: int, t0: float, t1: float,
                     show_labels: bool, metrics: QFontMetrics, text: QColor) -> None:
        """All visible marks: the lines first, batched by state, then one cached stamp per mark on top.

        Batching and stamps keep a paint to a few Qt calls per mark, so 2,000 marks in view still fit a frame.
        """
        now, overdue_after = self.now_s, self.overdue_after_s
        solid: dict[InjectState, list[QLineF]] = {}
        dashed: dict[InjectState, list[QLineF]] = {}
        stamps: list[tuple[QPointF, QPixmap]] = []
        labels: list[tuple[float, float, str]] = []
        selected_at: tuple[float, float] | None = None
        base = self.palette().color(QPalette.ColorRole.Base)
        diamonds = {state: self._stamp("diamond", state, base) for state in InjectState}
        dots = {state: self._stamp("dot", state, base) for state in InjectState}
        half = diamonds[InjectState.PENDING].width() / diamonds[InjectState.PENDING].devicePixelRatio() / 2
        # x = origin + t * scale, the same as `_x`, with the scroll position read once per paint.
        scale = self.px_per_s
        origin = self._gutter + 20 - self.horizontalScrollBar().value()
        selected_id = self.selected_id
        for lane in range(first_lane, last_lane + 1):
            middle = self._lane_top(lane) + self._lane_height / 2
            top = middle - half
            for mark in self._lanes[lane].visible(t0, t1):
                state = mark.fixed_state or mark.state_at(now, overdue_after)
                planned_x = origin + mark.planned_s * scale
                if mark.due_s != mark.planned_s:
                    due_x = origin + mark.due_s * scale
                    dashed.setdefault(state, []).extend((QLineF(planned_x, middle, due_x, middle),
                                                         QLineF(due_x, middle - 6, due_x, middle + 6)))
                if mark.released_s is not None:
                    actual_x = origin + mark.released_s * scale
                    solid.setdefault(state, []).append(QLineF(planned_x, middle, actual_x, middle))
                    stamps.append((QPointF(actual_x - half, top), dots[state]))
                stamps.append((QPointF(planned_x - half, top), diamonds[state]))
                if mark.inject_id == selected_id:
                    selected_at = (planned_x, middle)
                if show_labels:
                    labels.append((planned_x, middle, mark.label))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for state, lines in solid.items():
            painter.setPen(QPen(QColor(STATE_COLOURS[state]), 2))
            painter.drawLines(lines)
        for state, lines in dashed.items():
            painter.setPen(QPen(QColor(STATE_COLOURS[state]), 1.5, Qt.PenStyle.DashLine))
            painter.drawLines(lines)
        draw = painter.drawPixmap
        for point, stamp in stamps:
            draw(point, stamp)
        if selected_at is not None:
            x, y = selected_at
            ring = QPainterPath()
            ring.moveTo(x, y - 9)
            ring.lineTo(x + 9, y)
            ring.lineTo(x, y + 9)
            ring.lineTo(x - 9, y)
            ring.closeSubpath()
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(text, 2.5))
            painter.drawPath(ring)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if labels:
            painter.setPen(text)
            for x, y, label in labels:
                painter.drawText(QPointF(x - metrics.horizontalAdvance(label) / 2, y - 9), label)

    def _stamp(self, shape: str, state: InjectState, base: QColor) -> QPixmap:
        """A small antialiased diamond (planned) or dot (released) in the state's colour, drawn once."""
        ratio = self.devicePixelRatioF()
        key = (shape, state, base.rgba(), ratio)
        stamp = self._stamps.get(key)
        if stamp is not None:
            return stamp
        size = 16
        stamp = QPixmap(round(size * ratio), round(size * ratio))
        stamp.setDevicePixelRatio(ratio)
        stamp.fill(Qt.GlobalColor.transparent)
        colour = QColor(STATE_COLOURS[state])
        painter = QPainter(stamp)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        centre = size / 2
        if shape == "dot":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(centre, centre), 5, 5)
        else:
            diamond = QPainterPath()
            diamond.moveTo(centre, centre - 5.5)
            diamond.lineTo(centre + 5.5, centre)
            diamond.lineTo(centre, centre + 5.5)
            diamond.lineTo(centre - 5.5, centre)
            diamond.closeSubpath()
            painter.setBrush(colour if state.actionable else base)
            painter.setPen(QPen(colour, 2))
            painter.drawPath(diamond)
        painter.end()
        self._stamps[key] = stamp
        return stamp

    # Interaction -----------------------------------------------------------------------------------------
    def mark_at(self, pos: QPoint) -> TimelineMark | None:
        if pos.x() < self._gutter or pos.y() < HEADER_HEIGHT:
            return None
        lane = (pos.y() - HEADER_HEIGHT + self.verticalScrollBar().value()) // self._lane_height
        if not 0 <= lane < len(self._lanes):
            return None
        middle = self._lane_top(lane) + self._lane_height / 2
        if abs(pos.y() - middle) > self._lane_height / 2:
            return None
        radius_s = HIT_RADIUS / self.px_per_s
        t = self._t(pos.x())
        best: tuple[float, TimelineMark] | None = None
        for mark in self._lanes[lane].visible(t - radius_s, t + radius_s):
            for x_s in (mark.planned_s, mark.due_s, mark.released_s):
                if x_s is None:
                    continue
                distance = abs(self._x(x_s) - pos.x())
                if distance <= HIT_RADIUS and (best is None or distance < best[0]):
                    best = (distance, mark)
        return best[1] if best else None

    def mark_position(self, inject_id: str) -> QPoint | None:
        """Where the planned mark of ``inject_id`` is drawn (its first lane), scrolling it into view."""
        for lane_index, lane in enumerate(self._lanes):
            for mark in lane.marks:
                if mark.inject_id == inject_id:
                    if not self._visible_time(mark.planned_s):
                        self.scroll_to(mark.planned_s)
                    top = self._lane_top(lane_index)
                    if top < HEADER_HEIGHT or top + self._lane_height > self.viewport().height():
                        self.verticalScrollBar().setValue(lane_index * self._lane_height)
                    return QPoint(round(self._x(mark.planned_s)),
                                  round(self._lane_top(lane_index) + self._lane_height / 2))
        return None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            mark = self.mark_at(event.pos())
            if mark is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), mark.tooltip, self.viewport())
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            mark = self.mark_at(event.position().toPoint())
            if mark is not None:
                self.set_selected(mark.inject_id)
                self.inject_clicked.emit(mark.inject_id)
                return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()  # a click selects on press; its release has nothing more to do

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.25 if delta > 0 else 0.8, event.position().x())
            event.accept()
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - delta)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif key == Qt.Key.Key_0:
            self.fit_all()
        elif key == Qt.Key.Key_N:
            self.follow_now = True
            self.scroll_to(self.now_s)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_metrics()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._update_metrics()
            self.viewport().update()

