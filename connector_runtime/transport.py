"""Which hosts may be reached over plain http: this machine only (emulators, local proxies).

Both connectors send credentials or receipts over the network; everything else must be https.
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (brackets allowed)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
