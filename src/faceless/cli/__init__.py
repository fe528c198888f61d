"""The `faceless` command."""
