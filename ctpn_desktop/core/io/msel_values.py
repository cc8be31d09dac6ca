"""The words MSELs use for delivery methods, event types and statuses, in one place for import and export.

Export writes the labels below and import reads them back, so a file we write always re-imports to the
same values; import also understands the many other ways exercise teams write the same thing.
"""

from __future__ import annotations

import re

from ctpn_desktop.core.entities import DeliveryMethod, EventType, InjectStatus

EVENT_TYPE_LABELS: dict[EventType, str] = {
    EventType.INJECT: "Inject",
    EventType.CONTINGENCY: "Contingency",
    EventType.CONTROLLER_ACTION: "Controller action",
    EventType.PLAYER_ACTION: "Player action",
    EventType.ACTOR_ACTION: "Actor action",
}

STATUS_LABELS: dict[InjectStatus, str] = {InjectStatus.DRAFT: "Draft", InjectStatus.READY: "Ready"}


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


_DELIVERY_EXACT: dict[str, DeliveryMethod] = {}
for _method in DeliveryMethod:
    _DELIVERY_EXACT[_words(_method.value)] = _method
    _DELIVERY_EXACT[_words(_method.label)] = _method

_DELIVERY_EXACT.update({
    "in person": DeliveryMethod.VERBAL, "face to face": DeliveryMethod.VERBAL, "f2f": DeliveryMethod.VERBAL,
    "verbally": DeliveryMethod.VERBAL, "spoken": DeliveryMethod.VERBAL, "oral": DeliveryMethod.VERBAL,
    "telephone": DeliveryMethod.PHONE, "call": DeliveryMethod.PHONE, "phone call": DeliveryMethod.PHONE,
    "text sms": DeliveryMethod.PHONE, "sms": DeliveryMethod.PHONE, "e mail": DeliveryMethod.EMAIL,
    "mail": DeliveryMethod.EMAIL, "tv": DeliveryMethod.NEWS, "press": DeliveryMethod.NEWS,
    "news": DeliveryMethod.NEWS, "twitter": DeliveryMethod.SOCIAL_MEDIA, "x": DeliveryMethod.SOCIAL_MEDIA,
    "twitter x": DeliveryMethod.SOCIAL_MEDIA, "x twitter": DeliveryMethod.SOCIAL_MEDIA,
    "sim cell": DeliveryMethod.SIMCELL, "simulation cell": DeliveryMethod.SIMCELL,
    "webeoc": DeliveryMethod.INCIDENT_SYSTEM, "ims": DeliveryMethod.INCIDENT_SYSTEM,
    "paper": DeliveryMethod.HANDOUT, "hard copy": DeliveryMethod.HANDOUT, "hardcopy": DeliveryMethod.HANDOUT,
    "written": DeliveryMethod.HANDOUT, "document": DeliveryMethod.HANDOUT,
})

# Searched in this order, so the most specific channel wins: "radio news" is news, "phone (SimCell)" a phone.
_DELIVERY_KEYWORDS: tuple[tuple[DeliveryMethod, tuple[str, ...]], ...] = (
    (DeliveryMethod.SOCIAL_MEDIA, ("social", "twitter", "tweet", "facebook", "instagram", "tiktok",
                                   "whatsapp",
                                   "telegram", "youtube", "linkedin", "mastodon", "reddit", "x")),
    (DeliveryMethod.NEWS, ("news", "tv", "television", "press", "newspaper", "broadcast", "media",
                           "journalist",
                           "bulletin", "vnr", "reporter", "newsflash")),
    (DeliveryMethod.VIDEO, ("video", "cctv", "footage", "film", "clip", "bodycam", "body worn",
                            "livestream")),
    (DeliveryMethod.EMAIL, ("email", "e mail", "mail", "outlook")),
    (DeliveryMethod.PHONE, ("phone", "telephone", "tel", "call", "mobile", "voicemail", "sms", "text",
                            "pager",
                            "999", "911", "112")),
    (DeliveryMethod.RADIO, ("radio", "airwave", "tetra", "vhf", "uhf", "ptt", "walkie talkie", "two way")),
    (DeliveryMethod.HANDOUT, ("handout", "hand out", "paper", "printed", "print", "document", "hard copy",
                              "hardcopy", "letter", "memo", "written", "card", "fax", "pack", "report",
                                  "sheet")),
    (DeliveryMethod.MAP, ("map", "maps", "chart", "floor plan", "gis", "mapping")),
    (DeliveryMethod.INCIDENT_SYSTEM, ("webeoc", "incident management", "management system", "incident system",
                                      "ims", "resilience direct", "resiliencedirect", "cad", "veoci",
                                          "eoc system",
                                      "dashboard", "portal", "app", "log system")),
    (DeliveryMethod.SIMCELL, ("simcell", "sim cell", "simulation cell", "simulator", "sim")),
    (DeliveryMethod.VERBAL, ("verbal", "in person", "face to face", "f2f", "spoken", "voice", "briefing",
                             "brief",
                             "read out", "announcement", "announce", "facilitator", "presentation", "in room",
                             "tannoy", "verbally", "oral", "role play", "actor", "discussion", "presented")),
)


def delivery_method_from_text(text: str) -> tuple[DeliveryMethod | None, bool]:
    """The delivery method a cell names, and whether the match was exact; (None, False) when unknown."""
    words = _words(text)
    if not words:
        return None, False
    if words in _DELIVERY_EXACT:
        return _DELIVERY_EXACT[words], True
    padded = f" {words} "
    for method, keywords in _DELIVERY_KEYWORDS:
        if any(f" {keyword} " in padded for keyword in keywords):
            return method, False
    return None, False


_EVENT_EXACT: dict[str, EventType] = {_words(label): kind for kind, label in EVENT_TYPE_LABELS.items()}
_EVENT_EXACT.update({_words(kind.value): kind for kind in EventType})
_EVENT_EXACT.update({
    "injects": EventType.INJECT, "event": EventType.INJECT, "information": EventType.INJECT,
    "message": EventType.INJECT, "update": EventType.INJECT, "scenario update": EventType.INJECT,
    "contingency inject": EventType.CONTINGENCY, "contingent": EventType.CONTINGENCY,
    "controller": EventType.CONTROLLER_ACTION, "control action": EventType.CONTROLLER_ACTION,
    "control": EventType.CONTROLLER_ACTION, "expected player action": EventType.PLAYER_ACTION,
    "player": EventType.PLAYER_ACTION, "actor": EventType.ACTOR_ACTION, "role player": EventType.ACTOR_ACTION,
    "role play": EventType.ACTOR_ACTION, "roleplayer action": EventType.ACTOR_ACTION,
    "role player action": EventType.ACTOR_ACTION,
})


def event_type_from_text(text: str) -> EventType | None:
    """The HSEEP event type a cell names; None when it names none."""
    words = _words(text)
    if words in _EVENT_EXACT:
        return _EVENT_EXACT[words]
    if "contingen" in words:
        return EventType.CONTINGENCY
    for keyword, kind in (("controller", EventType.CONTROLLER_ACTION), ("player", EventType.PLAYER_ACTION),
                          ("actor", EventType.ACTOR_ACTION), ("role", EventType.ACTOR_ACTION),
                          ("inject", EventType.INJECT)):
        if keyword in words.split():
            return kind
    return None


_STATUS_PLANNING: dict[str, InjectStatus] = {
    "draft": InjectStatus.DRAFT, "proposed": InjectStatus.DRAFT, "in progress": InjectStatus.DRAFT,
    "pending": InjectStatus.DRAFT, "wip": InjectStatus.DRAFT, "new": InjectStatus.DRAFT,
    "not ready": InjectStatus.DRAFT, "review": InjectStatus.DRAFT, "for review": InjectStatus.DRAFT,
    "in review": InjectStatus.DRAFT, "under review": InjectStatus.DRAFT, "planned": InjectStatus.DRAFT,
    "ready": InjectStatus.READY, "ready to inject": InjectStatus.READY, "approved": InjectStatus.READY,
    "final": InjectStatus.READY, "confirmed": InjectStatus.READY, "signed off": InjectStatus.READY,
}
_STATUS_RUN: dict[str, InjectStatus] = {
    "injected": InjectStatus.READY, "delivered": InjectStatus.READY, "sent": InjectStatus.READY,
    "released": InjectStatus.READY, "done": InjectStatus.READY, "complete": InjectStatus.READY,
    "completed": InjectStatus.READY, "deferred": InjectStatus.DRAFT, "omitted": InjectStatus.DRAFT,
    "cancelled": InjectStatus.DRAFT, "canceled": InjectStatus.DRAFT, "skipped": InjectStatus.DRAFT,
    "not used": InjectStatus.DRAFT, "held": InjectStatus.DRAFT, "on hold": InjectStatus.DRAFT,
}


def status_from_text(text: str) -> tuple[InjectStatus | None, bool]:
    """The planning status for a cell, and whether it held a run outcome (Injected, Omitted …) instead.

    A spreadsheet's run outcomes are history of some earlier conduct, not a plan: they become Ready or
    Draft here, and the caller keeps the original word in the controller notes.
    """
    words = _words(text)
    if words in _STATUS_PLANNING:
        return _STATUS_PLANNING[words], False
    if words in _STATUS_RUN:
        return _STATUS_RUN[words], True
    return None, False


_UNREAD_TIME_RE = re.compile(
    r"^Time in the spreadsheet: (?P<text>.*) \(not read; placed at (?P<sign>[+-])(?P<h>\d{1,5}):(?P<m>[0-5]\d)"
    r":(?P<s>[0-5]\d)\)$", re.MULTILINE)


def signed_offset(seconds: int) -> str:
    """An offset from STARTEX as ``+1:05:00`` or ``-0:15:00``."""
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def unread_time_note(text: str, offset_s: int) -> str:
    """The controller-notes line an import leaves on an inject whose time could not be read: the original text
    and where the inject was placed instead. Validation flags the inject while it is still at that time."""
    return f"Time in the spreadsheet: {' '.join(text.split())} (not read; placed at {signed_offset(offset_s)})"


def unread_time_in(notes: str) -> tuple[str, int] | None:
    """The original time text and the offset the import placed the inject at, from its controller notes."""
    match = _UNREAD_TIME_RE.search(notes)
    if match is None:
        return None
    seconds = int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"])
    return match["text"], -seconds if match["sign"] == "-" else seconds
