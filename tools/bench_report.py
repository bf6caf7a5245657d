"""Figures from measurements, each against its goal, printed as a table a reader can check.

Pure: measurements (plain dicts written by bench_scenarios) in, figures and text out.
Every ratio is value / goal, so for "at least" goals ≥ 1 passes and for "at most" goals ≤ 1 passes.
"""

from __future__ import annotations

import re

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    section: str
    label: str
    value: float | None
    unit: str
    goal: float | None = None
    op: str = ""            # ">=", "<=", "==" or "" (informative)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.goal:
            return None
        return self.value / self.goal

    @property
    def passed(self) -> bool | None:
        if self.value is None or not self.op:
            return None
        if self.op == ">=":
            return self.value >= self.goal
        if self.op == "<=":
            return self.value <= self.goal
        return self.value == self.goal

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "passed": self.passed}


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def backfill_figures(m: dict) -> list[Figure]:
    s = "backfill"
    receipts, bank, drive = m["new_receipts"], m["bank"], m["drive"]
    rate = _div(receipts, m["wall_s"])
    ceiling = m.get("write_rate_per_s")
    return [
        Figure(s, "receipts/s", rate, "receipts/s"),
        Figure(s, "receipts/s ÷ emulated write ceiling", _div(rate, ceiling), "×", 0.9, ">=")
        if ceiling else Figure(s, "write ceiling", None, "(none emulated)"),
        Figure(s, "Drive writes per new receipt (ledger writes apart)",
               _div(drive.get("write", 0) - (m.get("ledger") or {}).get("writes", 0), receipts), "writes", 1.02, "<="),
        Figure(s, "Drive reads per receipt", _div(drive.get("read", 0), receipts), "reads", 0.01, "<="),
        # Listings without attachments are the transactions stream's (the ledgers), counted below.
        Figure(s, "bank API calls per 100 transactions (receipt streams)",
               _div(100 * (bank.get("api", 0) - bank.get("listings without attachments", 0)), m["transactions"]),
               "calls", 1.05, "<="),
        Figure(s, "… of which listings without attachments (per 100 transactions)",
               _div(100 * bank.get("listings without attachments", 0), m["transactions"]), "calls"),
        Figure(s, "… of which listings with attachments (per 100 transactions)",
               _div(100 * bank.get("listings with attachments", 0), m["transactions"]), "calls"),
        Figure(s, "downloads per new attachment", _div(bank.get("download", 0), receipts), "downloads", 1.0, "<="),
        Figure(s, "look-back: listing rows read again (per 100 transactions)",
               _div(100 * bank.get("look-back rows read again", 0), m["transactions"]), "rows"),
        Figure(s, "look-back: calls reading a tie block whole", bank.get("look-back tie-block calls", 0), "calls"),
        Figure(s, "Drive 403 rate-limit answers", m.get("rate_limited"), "answers"),
        *ledger_figures(s, m, nothing_new=False),
        Figure(s, "wall time", m["wall_s"], "s"),
    ]


def ledger_counts(messages: list[dict]) -> dict | None:
    """Periods touched and ledger writes (the missing list included), from the destination's summary line."""
    for message in messages:
        text = message.get("log", {}).get("message", "") if message.get("type") == "LOG" else ""
        found = re.search(r"Ledgers: (\d+) period\(s\) touched, (\d+) ledger write\(s\)", text)
        if found:
            return {"touched": int(found.group(1)), "writes": int(found.group(2))}
    return None


def ledger_figures(section: str, m: dict, *, nothing_new: bool) -> list[Figure]:
    ledger = m.get("ledger")
    if ledger is None:
        return [Figure(section, "ledger writes", None, "(no ledger pass)")]
    goal = 0 if nothing_new else ledger["touched"] + 1
    sheets = m.get("drive", {})
    return [Figure(section, "ledger periods touched", ledger["touched"], "periods"),
            Figure(section, "ledger writes (≤ periods touched + 1)", ledger["writes"], "writes", goal, "<="),
            # Sheets API requests: one batchUpdate per ledger, more for a table over 1,500 new rows
            Figure(section, "Sheets write requests", sheets.get("sheets.write", 0), "writes",
                   0 if nothing_new else None, "==" if nothing_new else ""),
            Figure(section, "Sheets read requests", sheets.get("sheets.read", 0), "reads")]


def nightly_figures(m: dict) -> list[Figure]:
    s = "nightly no-change sync"
    return [*ledger_figures(s, m, nothing_new=True),
        Figure(s, "bank API calls", m["bank"].get("api", 0), "calls", 600, "<="),
        Figure(s, "look-back: listing rows read again", m["bank"].get("look-back rows read again", 0), "rows"),
        Figure(s, "downloads", m["bank"].get("download", 0), "downloads", 0, "=="),
        Figure(s, "Drive reads", m["drive"].get("read", 0), "reads", 25, "<="),
        Figure(s, "Drive writes", m["drive"].get("write", 0), "writes", 0, "=="),
        Figure(s, "wall time", m["wall_s"], "s", 60, "<="),
    ]


def memory_figures(m: dict) -> list[Figure]:
    s = "peak RSS"
    figures = []
    for role in ("source", "destination"):
        without, medium, large = m["without"][role], m["medium"][role], m["with"][role]
        figures += [
            Figure(s, f"{role}, receipts ≤ 0.6 MB", without, "MB", 150, "<="),
            Figure(s, f"{role}, with a {m['medium_file_mib']:.0f} MiB receipt", medium, "MB", 150, "<="),
            Figure(s, f"{role}, with a {m['large_file_mib']:.0f} MiB receipt", large, "MB", 150, "<="),
            Figure(s, f"{role}, {m['large_file_mib']:.0f} MiB ÷ {m['medium_file_mib']:.0f} MiB (flat in file size)",
                   _div(large, medium), "×", 1.05, "<="),
            Figure(s, f"{role}, {m['large_file_mib']:.0f} MiB − none (fixed large-file buffers)",
                   None if large is None or without is None else large - without, "MB"),
        ]
    return figures


def record_figures(m: dict) -> list[Figure]:
    """Destination peak RSS with one large receipt sent in large records (tools/bench_records.py)."""
    return [Figure("peak RSS", f"destination, {label}", case["destination"], "MB", 150, "<=")
            for label, case in m["cases"].items()]


def sync_rss_figures(section: str, label: str, m: dict) -> list[Figure]:
    """Peak RSS of both processes of one realistic sync (same goal as the memory scenario)."""
    return [Figure(section, f"peak RSS, {role}, {label}", m["processes"][role]["peak_rss_mb"], "MB", 150, "<=")
            for role in ("source", "destination")]


def peer_figures(m: dict) -> list[Figure]:
    s = "peer (airbyte-source-qonto 0.2.22)"
    if m.get("skipped"):
        return [Figure(s, f"skipped: {m['skipped']}", None, "")]
    ours, peer = m["ours"], m["peer"]
    return [
        Figure(s, "ours: transactions records/s", ours["records_per_s"], "records/s"),
        Figure(s, "peer: transactions records/s", peer["records_per_s"], "records/s"),
        Figure(s, "ours ÷ peer", _div(ours["records_per_s"], peer["records_per_s"]), "×", 1.5, ">="),
        Figure(s, "ours ÷ peer, steady state (first→last record)",
               _div(ours["steady_records_per_s"], peer["steady_records_per_s"]), "×"),
    ]


def correctness_figures(m: dict) -> list[Figure]:
    s = "correctness"
    return [
        Figure(s, "receipts expected", m["expected"], "receipts"),
        Figure(s, "receipts missing in Drive", m["missing"], "receipts", 0, "=="),
        Figure(s, "receipts with wrong content", m["corrupt"], "receipts", 0, "=="),
        Figure(s, "receipts filed more than once", m["duplicated"], "receipts", 0, "=="),
        Figure(s, "failed connector processes", m["failed_processes"], "processes", 0, "=="),
    ]


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def render(figures: list[Figure]) -> str:
    """Markdown table: section, figure, value, goal, ratio, verdict."""
    lines = ["| | figure | value | goal | ratio | |", "|---|---|---:|---:|---:|---|"]
    for f in figures:
        goal = f"{f.op} {_fmt(f.goal)}" if f.op else ""
        verdict = {True: "ok", False: "MISSED", None: ""}[f.passed]
        ratio = _fmt(f.ratio) if f.ratio is not None else ""
        lines.append(f"| {f.section} | {f.label} | {_fmt(f.value)} {f.unit} | {goal} | {ratio} | {verdict} |")
    return "\n".join(lines)


def verify_landing(expected_sha256: dict[str, str], landed: dict[str, list[dict]]) -> dict:
    """Every expected receipt is in Drive exactly once with the bank's bytes (by SHA-256)."""
    missing = [a for a in expected_sha256 if a not in landed]
    corrupt = [a for a, sha in expected_sha256.items()
               if a in landed and any(f["sha256"] != sha for f in landed[a])]
    duplicated = [a for a in expected_sha256 if len(landed.get(a, ())) > 1]
    return {"expected": len(expected_sha256), "missing": len(missing), "corrupt": len(corrupt),
            "duplicated": len(duplicated), "examples": (missing + corrupt + duplicated)[:5]}
