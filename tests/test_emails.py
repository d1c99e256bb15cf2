"""Email addresses as typed (smallhousing.domain.emails)."""

from __future__ import annotations

import pytest

from smallhousing.domain.emails import check_email, email_problem
from smallhousing.domain.errors import DomainError


@pytest.mark.parametrize("text", ["", "  ", None, "sam@ashbury.example", "a.b+c@mail.co.uk", " x@y.org "])
def test_empty_or_an_address_is_fine(text):
    assert email_problem(text) == ""


@pytest.mark.parametrize(
    "text, why",
    [
        ("sam.ashbury.example", "it has no @"),
        ("sam @ashbury.example", "it has a space in it"),
        ("sam@@ashbury.example", "more than one @"),
        ("sam@ashbury", "a domain such as example.org"),
        ("sam@ashbury.", "a domain such as example.org"),
        ("sam@.example", "a domain such as example.org"),
        ("@ashbury.example", "nothing before the @"),
    ],
)
def test_a_slip_is_named_in_words(text, why):
    assert why in email_problem(text)
    with pytest.raises(DomainError) as e:
        check_email(text, "email")
    assert e.value.field == "email" and "name@example.org" in e.value.message


def test_check_email_returns_the_address_trimmed():
    assert check_email("  sam@ashbury.example ") == "sam@ashbury.example"
    assert check_email("") == ""
