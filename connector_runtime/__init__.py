"""What both connectors share at run time: allocator settings, the loopback rule, the stall
watchdog and its liveness record (no CDK imports in those), and the one-error rule (one_error.py,
on the CDK's message types)."""
