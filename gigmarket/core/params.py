"""Reading ids from query strings without trusting them."""

MAX_ID = 2**63 - 1


def int_param(value):
    """A positive database id from a query value, or None for anything else."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
