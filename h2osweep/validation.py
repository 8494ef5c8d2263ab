"""The argument rules that several functions share, each declared once with one message shape:
"`{name}` must be <rule>, but got <value>", the name spelled by whoever shows the error.

In the spirit of scikit-learn's `utils/_param_validation.py`: a check returns the value it
accepts (converted where the rule allows), or raises `UserInputError` naming the parameter.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from h2osweep.errors import UserInputError

R_SEED_LIMIT = 2147483647  # R's set.seed takes -(2^31 - 1) .. 2^31 - 1 (-2^31 is NA)
NUMPY_SEED_LIMIT = 2**32 - 1  # the largest seed numpy and scikit-learn take


def invalid(name: str, rule: str, value: object) -> UserInputError:
    """The error for `name` breaking `rule` (the value shown with repr, numbers as written)."""
    shown = f"{value:g}" if isinstance(value, float) else repr(value)
    return UserInputError(f"{{{name}}} must be {rule}, but got {shown}", name)


def check_type(name: str, value: object, kind: type | tuple[type, ...], rule: str) -> object:
    """`value` if it is a `kind`; else the error names its type (an object's repr can be huge)."""
    if not isinstance(value, kind):
        shown = repr(value) if isinstance(value, str | int | float) else type(value).__name__
        raise UserInputError(f"{{{name}}} must be {rule}, but got {shown}", name)
    return value


def is_whole(value: object) -> bool:
    """An integer that is not a bool (numpy integers count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    """A real number that is not a bool (ints, floats, numpy numbers)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(
    name: str, value: object, low: int | None = None, high: int | None = None, rule: str = ""
) -> int:
    """A whole number within [low, high] (either bound optional); `rule` rewords the message."""
    inside = is_whole(value) and (low is None or value >= low) and (high is None or value <= high)
    if not inside:
        raise invalid(name, rule or _int_rule(low, high), value)
    return int(value)


def _int_rule(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"an integer in [{low}, {high}]"
    if low is not None:
        return f"at least {low}"
    return "an integer" if high is None else f"an integer of at most {high}"


def check_positive(name: str, value: object, what: str = "positive and finite") -> float:
    """A finite number > 0."""
    if not (is_real(value) and math.isfinite(value) and value > 0):
        raise invalid(name, what, value)
    return float(value)


def check_non_negative(name: str, value: object) -> float:
    """A finite number >= 0."""
    if not (is_real(value) and math.isfinite(value) and value >= 0):
        raise invalid(name, "a finite number, 0 or more", value)
    return float(value)


def check_fraction(name: str, value: object) -> float:
    """A number strictly between 0 and 1."""
    if not (is_real(value) and 0 < value < 1):
        raise invalid(name, "between 0 and 1", value)
    return float(value)


def check_choice(name: str, value: object, options: Iterable) -> object:
    """One of `options`."""
    options = list(options)
    if value not in options:
        raise invalid(name, f"one of {', '.join(map(str, options))}", value)
    return value


def check_r_seed(name: str, value: object) -> int:
    """A seed R's `set.seed` accepts: a whole number within +-(2^31 - 1)."""
    return check_int(name, value, -R_SEED_LIMIT, R_SEED_LIMIT)


def check_numpy_seed(name: str, value: object, high: int = NUMPY_SEED_LIMIT) -> int:
    """A seed numpy and scikit-learn accept: a whole number in [0, high]."""
    return check_int(name, value, 0, high, rule=f"a whole number >= 0 (at most {high})")
