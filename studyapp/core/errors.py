"""Domain exceptions raised by services and mapped to messages by views."""


class DomainError(Exception):
    """A rule of the domain refused an action; the message is safe to show to the user."""


class NotFound(DomainError):
    """The object does not exist or is not visible to this user."""


class InvalidToken(DomainError):
    """A one-time link is unknown, used, or expired."""


class DuplicateEmail(DomainError):
    """Another account already uses this email address."""


class BadCredentials(DomainError):
    """Email or password is wrong."""


class UnknownJoinCode(DomainError):
    """No open class has this join code."""


class RosterError(DomainError):
    """A roster file has problems; ``problems`` lists them by row."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the roster file")
        self.problems = problems


class Forbidden(DomainError):
    """The user may see the object but not change it; the message says why."""
