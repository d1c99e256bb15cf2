"""A letter as plain text, for previews on screen and on the command line (no reportlab)."""

from __future__ import annotations


def render_text(content) -> str:
    c = content
    out: list[str] = []
    if getattr(c.landlord, "demo", False):
        from .demo_mark import DEMO_MARK

        out += [DEMO_MARK, ""]
    if c.large_print:
        out += ["[Large print: this letter will be printed in 16 point type.]", ""]
    out += [c.landlord.name, *c.landlord.address_lines, *c.landlord.contact_lines, ""]
    out += [c.recipient.name, *c.recipient.address_lines, ""]
    out.append(f"Date: {c.date_text}")
    out.append(f"Our reference: {c.reference}")
    if c.handler:
        out.append(f"Handled by: {c.handler}")
    if c.recipient.on_behalf_of:
        out.append(f"On behalf of: {c.recipient.on_behalf_of}")
    out += ["", c.title, "=" * min(len(c.title), 78), ""]
    facts = [(k, v) for k, v in c.key_facts if v]
    if facts:
        out += [f"{k}: {v}" for k, v in facts] + [""]
    if c.salutation:
        out += [c.salutation, ""]
    if c.intro:
        out += [c.intro, ""]
    for i, (heading, text) in enumerate(c.sections, start=1):
        title = f"{i}. {heading}"
        out += [title, "-" * min(len(title), 78), text or "", ""]
    if c.closing:
        out += [c.closing, ""]
    out += ["Yours sincerely,", ""]
    out += [p for p in (c.handler, c.handler_role, c.landlord.name) if p]
    if getattr(c, "copy_note", ""):
        out += ["", c.copy_note]
    return "\n".join(out).rstrip() + "\n"
