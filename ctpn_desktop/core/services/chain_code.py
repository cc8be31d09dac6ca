"""The head of a run's decision-log hash chains as a short code that a printed debrief carries on every page.

Each laptop's log is its own hash chain (see ``log``); the chain's head (its last record's hash) pins everything
before it. The seal of a run is the list of its chains' heads; its **code** is the first 60 bits of the SHA-256 of
that list, written as twelve letters and digits in three groups (``7QK4-M2XD-9FJA``), short enough to read out
and type. A copy signed at the hot wash carries the code, and ``ctpn-desktop verify DOC --code CODE`` says whether
the file still holds exactly that log. The integrity page also prints the whole seal as a QR code: it names every
chain head, so it tells also whether a log that has grown since still starts with exactly what was printed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from ctpn_desktop.core.services.document import Document
from ctpn_desktop.storage.orm import LogRecordRow, RunRow

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so nothing read aloud or copied by hand is ambiguous."""
SEAL_HEADER = "CTPN-LOG-SEAL 1"


@dataclass(frozen=True)
class ChainHead:
    device_id: str
    records: int
    """How many records the chain held (its head's position)."""
    head_hash: str


@dataclass(frozen=True)
class ChainSeal:
    """The heads of one run's chains when the seal was taken."""

    run_id: str
    run_number: int
    heads: tuple[ChainHead, ...]

    @property
    def code(self) -> str:
        return seal_code(self.heads)

    @property
    def records(self) -> int:
        return sum(head.records for head in self.heads)

    def payload(self) -> str:
        """Everything the seal holds, as text for a QR code (one line per chain head)."""
        lines = [SEAL_HEADER, f"run {self.run_number} {self.run_id}", f"code {self.code}"]
        lines += [f"chain {head.device_id} {head.records} {head.head_hash}" for head in self.heads]
        return "\n".join(lines)


@dataclass(frozen=True)
class CodeCheck:
    matches: bool
    message: str
    run_number: int | None = None


def seal_code(heads: tuple[ChainHead, ...]) -> str:
    digest = hashlib.sha256("\n".join(f"{h.device_id}:{h.records}:{h.head_hash}" for h in sorted(
        heads, key=lambda h: h.device_id)).encode("utf-8")).digest()
    value = int.from_bytes(digest[:8], "big") >> 4  # 60 bits
    letters = "".join(ALPHABET[(value >> shift) & 31] for shift in range(55, -1, -5))
    return f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"


def normalise_code(text: str) -> str:
    """What a person typed as a code, in the printed form: case, spaces and dashes ignored, O read as 0."""
    kept = "".join(ch for ch in text.upper() if ch.isalnum())
    kept = kept.translate(str.maketrans("OIL", "011"))
    return f"{kept[:4]}-{kept[4:8]}-{kept[8:]}" if len(kept) == 12 else kept


def chain_seal(document: Document, run_id: str) -> ChainSeal:
    """The seal of the run's log as the file holds it now."""
    with document.sessions() as session:
        run = session.get(RunRow, run_id)
        number = run.number if run is not None else 0
        tops = session.execute(select(LogRecordRow.device_id, func.max(LogRecordRow.chain_seq))
                               .where(LogRecordRow.run_id == run_id).group_by(LogRecordRow.device_id)).all()
        heads = []
        for device_id, top in sorted(tops):
            head = session.scalar(select(LogRecordRow.hash).where(
                LogRecordRow.run_id == run_id, LogRecordRow.device_id == device_id, LogRecordRow.chain_seq == top))
            heads.append(ChainHead(device_id=device_id, records=int(top), head_hash=str(head)))
    return ChainSeal(run_id=run_id, run_number=number, heads=tuple(heads))


def _parse_payload(text: str) -> tuple[int, str, str, list[ChainHead]] | None:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or lines[0] != SEAL_HEADER:
        return None
    try:
        _, number, run_id = lines[1].split()
        code = lines[2].split()[1]
        heads = []
        for line in lines[3:]:
            word, rest = line.split(maxsplit=1)
            device, records, head_hash = rest.rsplit(maxsplit=2)
            if word != "chain":
                return None
            heads.append(ChainHead(device_id=device, records=int(records), head_hash=head_hash))
    except (IndexError, ValueError):
        return None
    return int(number), run_id, code, heads


def check_code(document: Document, text: str) -> CodeCheck:
    """Whether the file's decision log still matches a code (or the whole seal read from the QR code)."""
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.log import LogService
    from ctpn_desktop.core.services.runs import RunService

    runs = RunService(document, SystemTimeSource()).list_runs(include_discarded=True)
    log = LogService(document, device_id="verify", source=SystemTimeSource())
    seals = {run.id: chain_seal(document, run.id) for run in runs}
    parsed = _parse_payload(text)
    if parsed is not None:
        number, run_id, code, printed = parsed
        seal = seals.get(run_id)
        if seal is None:
            return CodeCheck(False, f"the seal is of run {number}, which this file does not have")
        if not log.verify(run_id).ok:
            return CodeCheck(False, f"the log of run {number} fails its integrity check", number)
        mine = {head.device_id: head for head in seal.heads}
        with document.sessions() as session:
            for head in printed:
                stored = session.scalar(select(LogRecordRow.hash).where(
                    LogRecordRow.run_id == run_id, LogRecordRow.device_id == head.device_id,
                    LogRecordRow.chain_seq == head.records))
                if stored != head.head_hash:
                    return CodeCheck(False, f"the log of run {number} does not hold the records the printed copy "
                                            f"was made from (chain {head.device_id}, record {head.records})", number)
        if seal.code == code and len(mine) == len(printed):
            return CodeCheck(True, f"matches run {number}: its decision log is exactly as printed "
                                   f"({seal.records} records in {len(seal.heads)} chain(s))", number)
        added = seal.records - sum(head.records for head in printed)
        return CodeCheck(True, f"run {number} still holds every record the printed copy was made from, unchanged; "
                               f"{added} record(s) were logged or merged after it (code now {seal.code})", number)
    wanted = normalise_code(text)
    if len(wanted) != 14:
        return CodeCheck(False, f"“{text.strip()}” is not a log code: a code has twelve letters and digits, "
                                "like 7QK4-M2XD-9FJA")
    for run in runs:
        seal = seals[run.id]
        if seal.code == wanted:
            if not log.verify(run.id).ok:
                return CodeCheck(False, f"the code is that of run {run.number}, but its log now fails the integrity "
                                        "check", run.number)
            return CodeCheck(True, f"matches run {run.number} ({run.label}): its decision log is exactly as printed "
                                   f"({seal.records} records in {len(seal.heads)} chain(s))", run.number)
    current = "; ".join(f"run {run.number}: {seals[run.id].code}" for run in runs) or "no runs"
    return CodeCheck(False, f"{wanted} does not match the decision log of any run in this file: the log was changed, "
                            f"added to or merged since that copy was printed (codes now: {current})")


__all__ = ["ChainHead", "ChainSeal", "CodeCheck", "chain_seal", "check_code", "normalise_code", "seal_code"]
