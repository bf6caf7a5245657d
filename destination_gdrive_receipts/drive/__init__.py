"""Drive access: credentials and service objects, every call with retries and rate limiting,
the one-listing inventory of the tree, quota and sharing."""
