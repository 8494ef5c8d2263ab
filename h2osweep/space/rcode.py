"""A space as R code: the function that, after `set.seed(seed)`, draws what `Space.sample(seed)`
draws, one R call per entry, top to bottom (the lecture's `run(seed, run = FALSE)` for its space).
"""

from __future__ import annotations

import re
import textwrap

from h2osweep.space.distributions import Derived, PerLayer
from h2osweep.space.space import Entry, Space

R_RESERVED = frozenset(
    "if else repeat while function for next break TRUE FALSE NULL Inf NaN NA NA_integer_ "
    "NA_real_ NA_character_ NA_complex_ in".split()
)
R_NAME = re.compile(r"^([A-Za-z]|[.](?![0-9]))[A-Za-z0-9._]*$|^[.]$")


def r_name(name: str) -> str:
    """`name` as an R symbol: as it is when R allows it, else in backticks."""
    if R_NAME.match(name) and name not in R_RESERVED:
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def entry_r(entry: Entry) -> str:
    """The R expression of one entry (its size, or the draw it derives from, by R name)."""
    if isinstance(entry, PerLayer):
        return entry.dist.r_call(r_name(entry.length))
    if isinstance(entry, Derived):
        return entry.r_call(r_name(entry.of))
    return entry.r_call("1")


def space_to_r(space: Space, function: str = "draw", source: str = "") -> str:
    """An R function `function(seed)` returning the space's draws as a named list."""
    lines = [
        f"# R's draws of {source or 'the space'}: {function}(seed) returns what h2osweep draws",
        "# for that seed, value for value (R's default RNG: Mersenne-Twister, Inversion).",
        f"{r_name(function)} <- function(seed) {{",
        "  set.seed(seed)",
    ]
    lines += [f"  {r_name(name)} <- {entry_r(entry)}" for name, entry in space.items()]
    items = [f"{r_name(name)} = {r_name(name)}" for name in space]
    text = "\x00".join(items).replace(" ", "\xa0").replace("\x00", ", ")
    wrapped = textwrap.wrap(f"list({text})", 96, initial_indent="  ", subsequent_indent="    ")
    lines += [line.replace("\xa0", " ") for line in wrapped] + ["}"]
    return "\n".join(lines) + "\n"
