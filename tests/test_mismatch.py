"""Why a folder refuses another sweep: the differing settings named as parameters (the CLI's
flags), and the data's facts when the data changed but no data setting did."""

from __future__ import annotations

from pathlib import Path

from h2osweep.cli.main import build_parser, flag_speller
from h2osweep.store.mismatch import mismatch_error

DATA = {"fingerprint": "aa", "train_rows": 80, "reload": {"spec": "digits", "split_seed": 42}}
TRAINING = {"epochs": 2.0, "reproducible": True, "algorithm": "deeplearning"}
SWEEP = {"strategy": "random", "space": {"params": [1]}, "training": TRAINING, "data": DATA}
TAIL = "use another {out}, or {force_new} to move the old results aside and start over"


def refusal(stored: dict, new: dict, command: str = "random") -> str:
    """The one line the CLI's `command` prints for the refusal."""
    error = mismatch_error(Path("sweep"), stored, new)
    return error.render(flag_speller(build_parser().commands[command]))


def test_settings_a_user_gives_are_named_as_flags_and_their_derived_facts_left_out():
    new = SWEEP | {
        "training": TRAINING | {"nfolds": 3},
        "data": DATA | {"fingerprint": "bb", "reload": DATA["reload"] | {"split_seed": 7}},
    }
    assert refusal(SWEEP, new) == (
        "sweep holds a sweep with other settings (--split-seed 42 there, 7 here; --nfolds none "
        "there, 3 here); " + TAIL.format(out="--out", force_new="--force-new")
    )
    assert str(mismatch_error(Path("sweep"), SWEEP, new)).startswith(
        "sweep holds a sweep with other settings (split_seed 42 there, 7 here; nfolds"
    )


def test_a_setting_implied_by_others_is_named_in_words():
    """The validation split follows from --select-on and --nfolds when not given."""
    split = DATA | {"reload": DATA["reload"] | {"valid_fraction": 0.2}}
    assert (
        "(validation split 0.2 there, none here, as --select-on or --valid-fraction set it);"
        in refusal(SWEEP | {"data": split}, SWEEP)
    )


def test_a_switch_is_named_beside_its_values_and_the_data_by_its_facts():
    switched = SWEEP | {"training": TRAINING | {"reproducible": False}}
    assert "(reproducible True there, False here (--not-reproducible));" in refusal(SWEEP, switched)
    changed = SWEEP | {"data": DATA | {"fingerprint": "bb", "train_rows": 79}}
    assert (
        "with other data (training rows 80 there, 79 here; content fingerprint 'aa' there, "
        "'bb' here);" in refusal(SWEEP, changed)
    )


def test_a_changed_data_file_is_said_beside_changed_settings_and_a_spaces_entries_too():
    """Both would refuse the resume: naming only --epochs would send the user back twice."""
    both = SWEEP | {"training": TRAINING | {"epochs": 3.0}, "data": DATA | {"fingerprint": "bb"}}
    assert refusal(SWEEP, both).startswith(
        "sweep holds a sweep with other settings (--epochs 2.0 there, 3.0 here) and other data "
        "(content fingerprint 'aa' there, 'bb' here); "
    )
    respaced = SWEEP | {"space": {"l1": {"max": 0.2}}}
    assert refusal(SWEEP | {"space": {"l1": {"max": 0.1}}}, respaced).startswith(
        'sweep holds a sweep with another space (l1 {"max": 0.1} there, {"max": 0.2} here); '
    )
    grid = {"l1": [0.001, 0.05], "layers": [1, 2], "rho": [0.9]}
    regrid = {"l1": [0.001, 0.01], "layers": [1, 2], "epsilon": [1e-8]}
    assert refusal(
        SWEEP | {"space": {"grid": grid}}, SWEEP | {"space": {"grid": regrid}}
    ).startswith(
        "sweep holds a sweep with another space (l1 [0.001, 0.05] there, [0.001, 0.01] here; "
        "rho only there; epsilon only here); "
    )


def test_another_strategy_or_space_is_said_in_words():
    grid = SWEEP | {"strategy": "grid", "space": {"grid": [1]}}
    assert refusal(grid, SWEEP).startswith("sweep holds a grid sweep, and this is a random sweep; ")
    respaced = SWEEP | {"space": {"params": [2]}, "training": TRAINING | {"epochs": 3.0}}
    assert refusal(SWEEP, respaced).startswith(
        "sweep holds a sweep with another space (params [1] there, [2] here) and other settings "
        "(--epochs 2.0 there, 3.0 here)"
    )


def test_a_search_with_only_another_goal_is_told_the_goal_that_resumes_it():
    stored = SWEEP | {"strategy": "asha", "promotion": {"metric": "valid_r2", "goal": "min"}}
    new = stored | {"promotion": {"metric": "valid_r2", "goal": "max"}}
    assert refusal(stored, new, "search") == (
        "sweep holds a sweep with other settings (--goal min there, max here); give --goal min "
        "to resume it, " + TAIL.format(out="--out", force_new="--force-new")
    )
