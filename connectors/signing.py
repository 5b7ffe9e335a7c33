"""Errors shared by the vendors' webhook signature checks."""


class SignatureError(Exception):
    """The request cannot be shown to come from the vendor; `reason` is a short metric label."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
