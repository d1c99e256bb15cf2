"""Use cases: one function per thing a user does, each one transaction with its audit entry.

Screens, the CLI, letters and reports call these; none of them runs SQL itself.
"""
