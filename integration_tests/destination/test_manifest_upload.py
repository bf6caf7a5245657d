"""The manifest after a large backfill (every item made, for Drive's search lag) goes up a chunk at a time
and comes back whole; an unchanged manifest is not written again."""

from destination_gdrive_receipts.config import parse_config
from destination_gdrive_receipts.filing.manifest import ONE_REQUEST_MAX_BYTES, Manifest, ManifestStore
from destination_gdrive_receipts.sync import open_gateway


def test_given_a_manifest_over_the_one_request_size_when_saved_then_resumably_and_it_reads_back_whole(drive, config):
    gateway = open_gateway(parse_config(config))
    root = gateway.create_folder("Receipts", None, {"kind": "root"})["id"]
    made = {f"1Ab-{n:029d}_x" for n in range(9_000)}          # ids of the kind Drive gives: ~300 KB
    manifest = Manifest(recent=made)
    assert len(manifest.to_json()) > ONE_REQUEST_MAX_BYTES

    drive.reset_counters()
    assert ManifestStore(gateway, root).save(manifest) is True
    assert drive.counts.get("upload.resumable") == 1 and not drive.counts.get("upload.multipart")

    store = ManifestStore(gateway, root)
    assert store.load().recent == made
    drive.reset_counters()
    assert store.save(manifest) is False and not drive.counts.get("write")


def test_given_a_small_manifest_when_saved_then_one_multipart_request(drive, config):
    gateway = open_gateway(parse_config(config))
    root = gateway.create_folder("Receipts", None, {"kind": "root"})["id"]
    drive.reset_counters()
    assert ManifestStore(gateway, root).save(Manifest(recent={"1abc"})) is True
    assert drive.counts.get("upload.multipart") == 1 and not drive.counts.get("upload.resumable")
