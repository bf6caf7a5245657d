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

And minimum = generation alone is not one either: PyAirbyte fills both with 1 on every run
(airbyte/shared/catalog_providers.py validate_catalog in airbytehq/PyAirbyte). So a truncation counts
when the receipts generation also differs from the one the manifest saw last; the first generation
ever seen is only remembered. A retried attempt of the same job therefore does not reset twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from destination_gdrive_receipts.routing import RECEIPTS, Routing


@dataclass(frozen=True)
class JobMeaning:
    overwrites: bool                  # receipts sent as overwrite: a reset whatever the generations
    truncates: bool                   # minimum_generation_id == generation_id > 0
    receipts_generation: int | None   # remembered in the manifest
    reason: str = ""                  # for the log line

    @property
    def may_reset(self) -> bool:
        """Drive must be opened even without records (a "clear data" job has none)."""
        return self.overwrites or self.truncates

    def resets(self, last_generation: int | None) -> bool:
        """Whether this job forgets the deleted folders, given the generation the manifest saw last."""
        if self.overwrites:
            return True
        return self.truncates and last_generation is not None and self.receipts_generation != last_generation


def stream_value(stream: Any, name: str) -> Any:
    value = getattr(stream, name, None)
    return getattr(value, "value", value)   # enums (DestinationSyncMode) → their text


def meaning(catalog: Any, routing: Routing) -> JobMeaning:
    """Pure: the configured catalog (CDK model) and its routing → what this job does to the memory."""
    receipts = [s for s in getattr(catalog, "streams", None) or [] if routing.role(s.stream.name) == RECEIPTS]
    if not receipts:
        return JobMeaning(False, False, None)
    stream = receipts[0]
    generation, minimum = stream_value(stream, "generation_id"), stream_value(stream, "minimum_generation_id")
    generation = generation if isinstance(generation, int) else None
    if stream_value(stream, "destination_sync_mode") == "overwrite":
        return JobMeaning(True, False, generation, f"{stream.stream.name} is overwritten (full refresh, clear data or reset)")
    # minimum 0 is "keep every generation" (a normal sync, or a refresh that retains records); a first
    # truncation at generation 0 has nothing to forget yet.
    if generation is not None and isinstance(minimum, int) and 0 < minimum and minimum >= generation:
        return JobMeaning(False, True, generation,
                          f"{stream.stream.name} is truncated (generation {generation}, minimum generation {minimum}: "
                          "refresh and remove records, or clear data)")
    return JobMeaning(False, False, generation)
