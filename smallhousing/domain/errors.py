"""The one error every refused rule raises."""


class DomainError(ValueError):
    """A rule of the Code (or plain sense) refuses what was asked.

    The message is written for the person at the keyboard: one plain-English sentence
    saying what is wrong and, where it helps, what to do instead.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message
