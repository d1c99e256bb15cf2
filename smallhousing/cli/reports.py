"""Subcommands for reports (filled in by its own issue)."""


def register(sub, common) -> None:
    return None
