"""The workspace manifest: reading pixi.toml / pyproject.toml into a validated model."""
