"""The cost of the source option `probative_copies` (`make bench`, scenario "probative").

The same small bank, synced into an empty Drive twice: copies off, then copies on. Measured: bank
API calls and downloads per receipt, Drive writes per filed file (originals and sealed copies),
and the wall time of the sync. The bank emulator seals its copies while it builds the dataset,
so sealing (pyHanko, ~0.1 s per copy) is not counted in the sync.
"""

from __future__ import annotations

from tools import bench_data as data
from tools import bench_report as report
from tools import bench_scenarios as scenarios

# Statuses as a bank holding receipts from before and after sealing started might show them.
MIX = (("available", 16), ("pending", 2), ("unavailable", 1), ("corrupted", 1))
SHAPE = {**data.QUICK, "large_receipt_sizes": (), "probative": MIX}


def run(settings: scenarios.Settings) -> dict:
    measured = {}
    for name, copies in (("copies off", False), ("copies on", True)):
        shape = {**SHAPE, "probative_copies": copies}
        with scenarios._bank(shape, settings.latency_ms) as bank, \
                scenarios._drive(settings, True, settings.latency_ms) as drive:
            facts = bank.call(data.dataset_facts)
            catalog = scenarios._catalog(settings, scenarios._source_config(bank, shape), settings.workdir / f"probative-{copies}")
            _, sync = scenarios._sync(settings, bank, drive, shape, settings.workdir / f"probative-{copies}" / "first", catalog)
            landed = drive.call(data.landed_files_by_variant)
            measured[name] = {**sync, "receipts": len(facts["receipts"]), "filed": landed}
            settings.log(f"probative, {name}: {sync['wall_s']:.1f} s, {sum(landed.values())} files filed")
    return measured


def figures(measured: dict) -> list[report.Figure]:
    """Per receipt and per filed file for each run; the option's marginal cost from their difference
    (a small bank's folders, ledgers and manifest would hide it in a per-file average)."""
    out = []
    for name, m in measured.items():
        section = f"probative copies ({name})"
        receipts, filed = m["receipts"], max(1, sum(m["filed"].values()))
        out += [
            report.Figure(section, "bank API calls per receipt", m["bank"].get("api", 0) / receipts, "calls"),
            report.Figure(section, "downloads per receipt", m["bank"].get("download", 0) / receipts, "downloads"),
            report.Figure(section, "files filed (originals + sealed copies)", sum(m["filed"].values()), "files"),
            report.Figure(section, "Drive writes per filed file, folders and ledgers included", m["drive"].get("write", 0) / filed, "writes"),
            report.Figure(section, "sync wall time", m["wall_s"], "s"),
            *(report.Figure(section, f"{role} peak RSS", m["processes"][role].get("peak_rss_mb"), "MB")
              for role in ("source", "destination") if m["processes"].get(role)),
        ]
    off, on = measured.get("copies off"), measured.get("copies on")
    if off and on:
        copies = max(1, on["filed"].get("probative", 0))
        extra = lambda key, kind: (on[kind].get(key, 0) - off[kind].get(key, 0)) / copies  # noqa: E731
        out += [
            report.Figure("probative copies (cost of the option)", "extra Drive writes per sealed copy filed",
                          extra("write", "drive"), "writes", 1.02, "<="),
            report.Figure("probative copies (cost of the option)", "extra downloads per sealed copy filed",
                          extra("download", "bank"), "downloads", 1.0, "<="),
            report.Figure("probative copies (cost of the option)", "extra bank API calls per sealed copy filed",
                          extra("api", "bank"), "calls"),
            report.Figure("probative copies (cost of the option)", "extra sync wall time per sealed copy",
                          (on["wall_s"] - off["wall_s"]) / copies, "s"),
        ]
    return out
