"""Why a folder refuses a sweep: what differs between its recorded definition and the new one,
named as the parameters a user gives (the CLI spells them as its flags), not as the keys of
sweep.json."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from h2osweep.errors import StoreError
from h2osweep.search.base import OPTUNA_KIND
from h2osweep.search.halving import STRATEGIES as MULTI_FIDELITY_STRATEGIES

# sections of a definition whose keys are the parameters of the same name
PARAMETER_SECTIONS = ("training", "data.reload", "fidelity", "promotion", "sampler")
# keys in those sections that no parameter sets, and keys named for another parameter
NOT_PARAMETERS = {"sampler.library", "sampler.space"}
PARAMETER_NAMES = {"on_cluster": "spec"}
# settings that follow from others when not given (the validation split from the part chosen
# on and the folds), named in words rather than as a flag the user may never have given
IMPLIED = {"valid_fraction": ("validation split", ("select_on", "valid_fraction"))}
SHOWN = 3
FINGERPRINT = "data.fingerprint"
# what the recorded facts of the data are called (the fingerprint, a hash of its content, last)
FACTS = {
    "data.train_rows": "training rows",
    "data.valid_rows": "validation rows",
    "data.test_rows": "test rows",
    "data.features": "features",
    "data.task": "task",
    FINGERPRINT: "content fingerprint",
}


Change = tuple[str, str, tuple[str, ...]]  # a setting's path, its text, the parameters named


def mismatch_error(folder: Path, stored: dict, new: dict) -> StoreError:
    """The refusal of a folder holding another sweep: its settings that differ, named as the
    parameters a user gives, the data's facts when the data changed, and the `goal` that
    resumes it when only that changed."""
    if stored.get("strategy") != new.get("strategy"):
        head = f"{folder} holds {_kind(stored)}, and this is {_kind(new)}"
        return _refusal(head)
    given, derived = _changed_settings(stored, new)
    sections = sorted(key for key in set(stored) | set(new) if stored.get(key) != new.get(key))
    space = _space_listed(stored.get("space"), new.get("space"))
    head = f"{folder} holds a sweep with {_what_differs(sections, given, derived, space)}"
    parameters = [name for _, _, names in given[:SHOWN] for name in names]
    goal = _only_goal_changed(stored, new, sections)
    if goal:
        return _refusal(head, f"give {{goal}} {goal} to resume it, ", ["goal", *parameters])
    return _refusal(head, "", parameters)


def _what_differs(
    sections: list[str], given: list[Change], derived: list[Change], space: str = ""
) -> str:
    """'another space (...)', 'other settings (...)', and 'other data (...)' when the data's
    facts differ but no data setting does (the file changed)."""
    parts = [f"another space{space}"] if "space" in sections else []
    if given:
        parts.append(f"other settings{_listed(given)}")
    if derived and not any(path.startswith("data.") for path, _, _ in given):
        facts = sorted({path.split(".")[0] for path, _, _ in derived})
        parts.append(f"other {' and '.join(facts)}{_listed(derived)}")
    return " and ".join(parts) or f"another {' and '.join(sections)}"


def _space_listed(stored, new) -> str:
    """' (l1 [0.001, 0.05] there, [0.001, 0.01] here)': the space's entries (a grid's
    parameters) that differ, the first few."""
    if isinstance(stored, dict) and isinstance(new, dict) and {"grid"} == set(stored) == set(new):
        stored, new = stored["grid"], new["grid"]
    if not (isinstance(stored, dict) and isinstance(new, dict)):
        return ""
    texts = []
    for key in dict.fromkeys([*stored, *new]):
        if key not in new:
            texts.append(f"{key} only there")
        elif key not in stored:
            texts.append(f"{key} only here")
        elif stored[key] != new[key]:
            texts.append(f"{key} {_brief(stored[key])} there, {_brief(new[key])} here")
    return f" ({'; '.join(texts[:SHOWN])})" if texts else ""


def _brief(value, width: int = 48) -> str:
    """A recorded value as compact JSON, cut to `width` characters."""
    import json

    text = json.dumps(value, separators=(", ", ": "))
    return text if len(text) <= width else text[: width - 1] + "…"


def _listed(changes: list[Change]) -> str:
    return f" ({'; '.join(text for _, text, _ in changes[:SHOWN])})"


def _refusal(head: str, resume: str = "", parameters: Sequence[str] = ()) -> StoreError:
    return StoreError(
        f"{head}; {resume}use another {{out}}, or {{force_new}} to move the old results aside "
        "and start over",
        "out",
        "force_new",
        *parameters,
    )


def _kind(definition: dict) -> str:
    """'a grid sweep', 'an asha search', 'a tpe search (Optuna's)': what the command ran."""
    kind = str(definition.get("strategy", "unrecorded"))
    if kind.startswith(OPTUNA_KIND):
        words = f"{kind.removeprefix(OPTUNA_KIND)} search (Optuna's)"
    else:
        words = f"{kind} {'search' if kind in MULTI_FIDELITY_STRATEGIES else 'sweep'}"
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _only_goal_changed(stored: dict, new: dict, differing: list[str]) -> str | None:
    """The stored goal when it is all that differs (r2 was ranked min by default once)."""
    if len(differing) != 1 or not all(isinstance(d.get(differing[0]), dict) for d in (stored, new)):
        return None
    old, now = stored[differing[0]], new[differing[0]]
    return old.get("goal") if old == {**now, "goal": old.get("goal")} else None


def _changed_settings(stored: dict, new: dict) -> tuple[list[Change], list[Change]]:
    """The differing single settings: those a parameter sets ('{parameter} old there, new
    here'), and the recorded facts (rows, the fingerprint last) by their names. The space's
    own keys are left out: 'another space' says it."""
    given, derived = [], []
    for path, old, now in _differences(stored, new):
        section, _, key = path.rpartition(".")
        if section in PARAMETER_SECTIONS and path not in NOT_PARAMETERS:
            name = PARAMETER_NAMES.get(key, key)
            given.append((path, *_parameter_change(name, old, now)))
        elif not path.startswith("space."):
            derived.append((path, f"{FACTS.get(path, path)} {old!r} there, {now!r} here", ()))
    return given, sorted(derived, key=lambda change: change[0] == FINGERPRINT)


def _differences(stored: dict, new: dict, prefix: str = ""):
    """(dotted path, stored value, new value) of each differing scalar, nested dicts walked."""
    for key in sorted(set(stored) | set(new)):
        old, now = stored.get(key), new.get(key)
        if old == now:
            continue
        if isinstance(old, dict) and isinstance(now, dict):
            yield from _differences(old, now, f"{prefix}{key}.")
        elif not isinstance(old, dict | list) and not isinstance(now, dict | list):
            yield f"{prefix}{key}", old, now


def _parameter_change(name: str, old, now) -> tuple[str, tuple[str, ...]]:
    """('{name} old there, new here', the parameters named); a switch is named beside its
    values, since its flag may say the opposite; an implied setting in words, with the
    parameters that set it."""
    if name in IMPLIED:
        words, deciding = IMPLIED[name]
        flags = " or ".join(f"{{{flag}}}" for flag in deciding)
        return f"{words} {_shown(old)} there, {_shown(now)} here, as {flags} set it", deciding
    if isinstance(old, bool) or isinstance(now, bool):
        return f"{name} {old} there, {now} here ({{{name}}})", (name,)
    return f"{{{name}}} {_shown(old)} there, {_shown(now)} here", (name,)


def _shown(value) -> str:
    return "none" if value is None else str(value)
