"""The workspace's screens."""
