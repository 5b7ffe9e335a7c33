"""How `bridge setup` says what it did, or would do in a dry run."""


def did(verb: str, dry_run: bool) -> str:
    """"would create" in a dry run, else "created"."""
    return f"would {verb}" if dry_run else f"{verb.removesuffix('e')}ed"
