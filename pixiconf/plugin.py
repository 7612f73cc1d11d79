"""pytest plugin for pixiconf (being written)."""
