"""rich-cli: pretty terminal output."""
