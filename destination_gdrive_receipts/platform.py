"""What a write job means, read from the configured catalog the platform sends.

The deleted-folder memory is reset only by a *truncating* change of `receipts`: the user asked that
everything be sent again and replace what was there. How that reaches a destination (all paths in
airbytehq/airbyte-platform):

- With refresh support (`supportsRefreshes` in the definition): every stream carries generation_id,
  minimum_generation_id and sync_id (CatalogGenerationSetter.kt). minimum_generation_id equals
  generation_id for a "refresh and remove records" (TRUNCATE), for a "clear data" job
  (updateCatalogWithGenerationAndSyncInformationForClear) and for every sync of a full-refresh |
  overwrite stream; it is 0 otherwise. The destination sync mode overwrite is then sent as append
  (commons/protocol/DefaultProtocolSerializer.kt), so the mode says nothing.
- Without refresh support: no generation fields (ReplicationInputHydrator.kt reads the connection
  without job generations); a "clear data"/reset job sends its streams as full refresh | overwrite
  (config/helpers/CatalogTransforms.kt updateCatalogForReset) and no records.

A generation change alone is never a reset: every sync job bumps the generation of every full-refresh
stream (AttemptHandler.kt updateGenerationAndStateForFirstAttempt, GenerationBumper.kt), which for
receipt_index is every night. "Refresh and retain records" (new generation, minimum 0) re-sends
everything but keeps what the user decided in Drive: deleted folders stay deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from destination_gdrive_receipts.routing import RECEIPTS, Routing


@dataclass(frozen=True)
class JobMeaning:
    truncates_receipts: bool          # forget deleted period folders at the start of this job
    receipts_generation: int | None   # kept in the manifest for diagnosis only
    reason: str = ""                  # for the log line


def _value(stream: Any, name: str) -> Any:
    value = getattr(stream, name, None)
    return getattr(value, "value", value)   # enums (DestinationSyncMode) → their text


def meaning(catalog: Any, routing: Routing) -> JobMeaning:
    """Pure: the configured catalog (CDK model) and its routing → what this job does to the memory."""
    receipts = [s for s in getattr(catalog, "streams", None) or [] if routing.role(s.stream.name) == RECEIPTS]
    if not receipts:
        return JobMeaning(False, None)
    stream = receipts[0]
    generation, minimum = _value(stream, "generation_id"), _value(stream, "minimum_generation_id")
    if _value(stream, "destination_sync_mode") == "overwrite":
        return JobMeaning(True, generation, f"{stream.stream.name} is overwritten (full refresh, clear data or reset)")
    # minimum 0 is "keep every generation" (a normal sync, or a refresh that retains records); a first
    # truncation at generation 0 has nothing to forget yet.
    if isinstance(generation, int) and isinstance(minimum, int) and 0 < minimum and minimum >= generation:
        return JobMeaning(True, generation,
                          f"{stream.stream.name} is truncated (generation {generation}, minimum generation {minimum}: "
                          "refresh and remove records, or clear data)")
    return JobMeaning(False, generation if isinstance(generation, int) else None)
