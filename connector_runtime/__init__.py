"""Process-level settings both connectors apply at start-up (no CDK imports here)."""
