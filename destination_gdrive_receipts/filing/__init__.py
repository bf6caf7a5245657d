"""Filing receipts: where each goes and what it is called (pure), chunk reassembly, the upload
pipeline, folders, the manifest of deleted period folders, and reconciliation from the index."""
