"""Subcommands for letters (filled in by its own issue)."""


def register(sub, common) -> None:
    return None
