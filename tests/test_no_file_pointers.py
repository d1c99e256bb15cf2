"""Nothing the app or the command line shows points to a file a pip install does not have (the docs/
folder, README and the other .md files stay in the source tree)."""

from __future__ import annotations

import ast
import pathlib
import re

import smallhousing

PACKAGE = pathlib.Path(smallhousing.__file__).parent
POINTER = re.compile(r"docs/|\b[\w-]+\.md\b|README", re.I)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstring nodes (for developers; never shown to a user)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def shown_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal that is not a docstring (f-strings: their literal parts)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def test_the_scan_finds_a_pointer_in_a_message_and_not_in_a_docstring():
    source = (
        '"""See docs/IMPORT.md."""\ndef f():\n    """docs/X.md"""\n    return f"see docs/IMPORT.md {1}"\n'
    )
    assert [text for _, text in shown_texts(source) if POINTER.search(text)] == ["see docs/IMPORT.md "]


def test_no_message_points_to_the_docs_folder():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, text in shown_texts(path.read_text(encoding="utf-8")):
            if POINTER.search(text):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}")
    assert found == []
