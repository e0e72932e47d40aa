"""What can go wrong when posting, told apart by whether the post may have happened.

    NotifyError
    ├── Refused        the platform answered with an error: nothing was posted (safe to retry)
    ├── InDoubt        no usable answer (timeout, dropped connection, server error): it may have
    │                  been posted; a retry first looks for it
    └── CannotVerify   a post in doubt cannot be looked up on this platform (Telegram): a person
                       must check the chat before it is sent again
"""

from __future__ import annotations


class NotifyError(RuntimeError):
    """A post to a chat platform did not complete."""


class Refused(NotifyError):
    """The platform refused the call (error answer, rate limit after the allowed retries)."""


class InDoubt(NotifyError):
    """The call got no usable answer; the post may or may not exist."""


class CannotVerify(NotifyError):
    """A post in doubt cannot be looked up on this platform."""
