"""Textual screens. Thin: they call smallhousing.services and never touch the database directly.

Styles live in .tcss files beside the screens (shared rules in smallhousing/app.tcss).
"""
