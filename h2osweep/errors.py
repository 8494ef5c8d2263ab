"""The exceptions h2osweep raises: one root, and a child for each kind of failure the CLI reports.

Each class carries the CLI exit status it maps to, so the CLI needs no table of its own. A
message may name parameters as `{name}` placeholders: `str(error)` spells them as the Python
names, and the CLI spells them as its flags (`error.render(spell)`), so the library never names
a flag and the command line never names a Python argument.
"""

from __future__ import annotations

from collections.abc import Callable


class H2OSweepError(Exception):
    """Root of every error h2osweep raises on purpose."""

    exit_status = 1
    kind = "error: "  # how the command line introduces it (a Ctrl-C is not an error)

    def __init__(self, message: str = "", *parameters: str) -> None:
        self.template = message
        self.parameters = parameters
        super().__init__(self.render())

    def render(self, spell: Callable[[str], str] = str) -> str:
        """The message with each `{parameter}` written as `spell(parameter)`."""
        text = self.template
        for name in self.parameters:
            text = text.replace(f"{{{name}}}", spell(name))
        return text


class UserInputError(H2OSweepError, ValueError):
    """The user asked for something invalid; the message says what was wrong and what is allowed."""

    exit_status = 2


class ClusterError(H2OSweepError):
    """H2O cannot be started or reached (Java missing, URL dead, not H2O, version mismatch)."""

    exit_status = 2


class ClusterUnreachableError(ClusterError):
    """Nothing answers at a cluster's URL (a pool goes on without it until it answers)."""


class ClusterLostError(ClusterError):
    """The H2O cluster went away while a sweep was using it."""

    exit_status = 1


class StoreError(H2OSweepError):
    """A results folder cannot be used (another space, not writable, busy with another process)."""

    exit_status = 2


class DamagedStoreError(StoreError):
    """A folder's store.sqlite cannot be read (its results.csv still holds the runs before);
    `damage` says what is wrong with it."""

    def __init__(self, damage: str, advice: str, *parameters: str) -> None:
        super().__init__(f"{damage}; {advice}", *parameters)
        self.damage = damage
