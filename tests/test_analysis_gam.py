"""GAM formulas, fitting with too few runs, the tables and the predicted optimum."""

import json

import numpy as np
import pandas as pd
import pytest

from h2osweep.analysis import (
    analyze,
    fit_gam,
    gam_table,
    partial_dependence,
    surfaces,
)
from h2osweep.analysis.gam_formula import LECTURE_FORMULA, GamTerm, parse_formula
from h2osweep.analysis.optimum import candidate_points
from h2osweep.analysis.pipeline import load_source
from h2osweep.analysis.preprocess import prepare
from h2osweep.analysis.tables import choose_columns
from h2osweep.errors import UserInputError
from h2osweep.record.columns import with_layers as expand_layers
from tests.synthetic import lecture_table, wandb_table


def prepared_lecture(n, seed=0):
    """A prepared lecture-like table of n runs."""
    raw = load_source(lecture_table(n, seed))
    raw.default_target = "test_mse"
    raw.params = [c for c in raw.params if c not in ("neurons", "hidden_dropout")]
    target, params, _ = choose_columns(raw, "test_mse", None)
    return prepare(raw.frame, target, params)


def test_parse_lecture_formula():
    terms = parse_formula("MSE ~ " + LECTURE_FORMULA)
    assert terms[0] == GamTerm("s", ("l1",), 4)
    assert terms[2] == GamTerm("s", ("input_dropout",), None)
    assert terms[-1] == GamTerm("te", ("depth", "SumNeurons"), 4)
    assert parse_formula("x + l(y)") == [GamTerm("l", ("x",)), GamTerm("l", ("y",))]


def test_a_column_name_r_would_quote_is_written_and_read_in_backquotes():
    """W&B's `optim/lr` or `batch size`: the formula analyze prints can be given back."""
    terms = parse_formula("`val/loss` ~ s(`optim/lr`, k=4) + te(`a-b`, c) + `batch size`")
    assert terms == [GamTerm("s", ("optim/lr",), 4), GamTerm("te", ("a-b", "c")),
                     GamTerm("l", ("batch size",))]  # fmt: skip
    assert [t.label for t in terms] == ["s(`optim/lr`)", "te(`a-b`,c)", "`batch size`"]
    with pytest.raises(UserInputError, match=r"goes in backquotes, as in R: s\(`val/loss`\)"):
        parse_formula("s(optim/lr, k=4)")


@pytest.mark.parametrize("bad", ["s(l1, q=3)", "s(a, b)", "s(l1) + ", "f(x)", "s(l1, k=x)"])
def test_bad_formulas_are_user_errors(bad):
    with pytest.raises(UserInputError, match="GAM"):
        parse_formula(bad)


@pytest.mark.parametrize("k", ["0", "3", "-2", "2.5"])
def test_a_basis_smaller_than_cubic_splines_allow_is_a_user_error(k):
    for term in (f"s(l1, k={k})", f"te(depth, SumNeurons, k={k})"):
        with pytest.raises(UserInputError, match=f"k must be a whole number >= 4.*got '{k}'"):
            parse_formula(term)
    assert parse_formula("s(l1, k=4)") == [GamTerm("s", ("l1",), 4)]


def test_unknown_variable_in_formula():
    with pytest.raises(UserInputError, match="unknown column"):
        fit_gam(prepared_lecture(50), "s(nope)")


def test_lecture_fit_finds_the_structure():
    p = prepared_lecture(300)
    fit = fit_gam(p)
    assert "the lecture's formula" in fit.notes[-1]
    table = gam_table(fit).set_index("term")
    assert list(table.index)[-1] == "te(depth,SumNeurons)"
    assert table.loc["s(input_dropout)", "p_value"] < 1e-6
    assert table.loc["s(rho)", "p_value"] > 1e-3
    assert (table["edof"] > 0).all()
    assert np.corrcoef(fit.predict(p.table), p.y)[0, 1] > 0.8
    pd_ = partial_dependence(fit, p.table)
    assert set(pd_["term"]) == set(table.index[:-1])
    assert (pd_["lower"] <= pd_["fit"] + 1e-12).all() and (pd_["fit"] <= pd_["upper"] + 1e-12).all()


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10])
def test_few_runs_never_crash(n):
    analysis = analyze(lecture_table(n, seed=n), target="test_mse")
    assert any(note.startswith("GAM") for note in analysis.notes)
    assert list(analysis.gam.columns) == ["term", "edof", "p_value"]
    if n >= 5:
        assert analysis.suggested is not None


def test_suggestion_is_inside_the_sampled_box_with_whole_integers():
    analysis = analyze(lecture_table(200, seed=2), target="test_mse")
    config, table = analysis.gam_config, analysis.prepared.table
    for column in ("l1", "l2", "input_dropout", "rho", "epsilon", "depth", "SumNeurons"):
        assert table[column].min() <= config[column] <= table[column].max()
    assert isinstance(config["depth"], int) and isinstance(config["SumNeurons"], int)
    assert len(config["neurons"]) == config["depth"] == len(config["hidden_dropout"])
    assert analysis.suggested.value <= analysis.prepared.y.max()
    best = analysis.best_config
    assert best["neurons"] and isinstance(best["neurons"], list)
    assert analysis.best.value == analysis.prepared.y.min()


def test_categorical_levels_enter_the_default_gam():
    analysis = analyze(wandb_table(120), target="val_acc", goal="max")
    assert "optimizer_rmsprop" in analysis.gam_fit.formula
    assert analysis.gam_config["optimizer"] in {"adam", "rmsprop", "sgd"}


def test_expand_layers():
    config = expand_layers({"depth": 3.0, "SumNeurons": 601, "MeanHiddenDropout": 0.25})
    assert config["neurons"] == [200, 200, 200]
    assert config["hidden_dropout"] == [0.25, 0.25, 0.25]
    assert expand_layers({"l1": 0.1}) == {"l1": 0.1}
    kept = {"depth": 2, "neurons": [10, 30], "hidden_dropout": [0.1, 0.3], "SumNeurons": 40}
    assert expand_layers(kept) == kept  # an observed run's own layers are left alone
    deeper = expand_layers({"depth": 1, "neurons": [10, 30], "hidden_dropout": [0.1, 0.3]})
    assert deeper == {"depth": 1, "neurons": [40], "hidden_dropout": [0.2]}
    shorthand = expand_layers({"layers": 2, "units": 20, "depth": 1.2, "SumNeurons": 33.0})
    assert shorthand == {"layers": 1, "units": 33, "depth": 1, "SumNeurons": 33}
    assert expand_layers({"layers": 2, "depth": 1, "SumNeurons": 100}) == {
        "layers": 1,
        "depth": 1,
        "SumNeurons": 100,
    }  # the default units stay unset
    foreign = expand_layers({"model.hidden": [128], "layer_dropouts": [0.5], "depth": 2})
    assert foreign == {"model.hidden": [64, 64], "layer_dropouts": [0.5, 0.5], "depth": 2}


def layered_runs() -> pd.DataFrame:
    """Twelve runs: the best (a) has two layers, yet one layer and x near 0.5 is better."""
    depth = [2, 1, 1, 1, 1, 1, 1, 3, 3, 3, 2, 2]
    x = [0.5, 0.0, 0.1, 0.2, 0.8, 0.9, 1.0, 0.3, 0.7, 0.4, 0.05, 0.95]
    return pd.DataFrame(
        {
            "name": list("abcdefghijkl"),
            "x": x,
            "neurons": [json.dumps([10 * (i + 1)] * d) for i, d in enumerate(depth)],
            "hidden_dropout": [json.dumps([0.1, 0.3][:d] + [0.2] * (d - 2)) for d in depth],
            "y": [(v - 0.5) ** 2 + 0.05 * d for v, d in zip(x, depth, strict=True)],
        }
    )


def test_a_suggested_depth_gets_layer_lists_of_that_depth():
    analysis = analyze(
        layered_runs(), target="y", params=["x", "neurons"], gam_formula="s(x) + depth"
    )
    config, best = analysis.gam_config, analysis.best
    assert best.run == "a" and len(best.config["neurons"]) == 2
    assert "a random point" in analysis.suggested.note
    assert config["depth"] == 1 != len(best.config["neurons"])
    assert len(config["neurons"]) == config["depth"] == len(config["hidden_dropout"])
    assert config["neurons"] == [20] and config["hidden_dropout"] == [0.2]  # a's total and mean


def test_an_observed_optimum_is_suggested_as_that_run_whole():
    runs = layered_runs()
    analysis = analyze(runs, target="y", params=["x", "neurons"], gam_formula="depth")
    # depth 3 has the lowest mean y; every candidate of depth 3 ties, so its first run, h, wins
    assert "the observed run h, whose configuration this is" in analysis.suggested.note
    h = runs.set_index("name").loc["h"]
    assert analysis.gam_config == {
        "x": h["x"],
        "neurons": json.loads(h["neurons"]),
        "hidden_dropout": json.loads(h["hidden_dropout"]),
    }
    assert analysis.best.run == "a" and analysis.best_config["x"] != h["x"]


def test_a_seed_numpy_cannot_take_is_a_user_error():
    for seed in (-1, 2**32, 1.5):
        with pytest.raises(UserInputError, match="^seed must be a whole number >= 0"):
            analyze(layered_runs(), target="y", params=["x"], seed=seed)


def test_te_surface_leaves_out_cells_far_from_the_runs():
    p = prepared_lecture(150)
    fit = fit_gam(p)
    full, near = surfaces(fit), surfaces(fit, p.table)
    assert len(full) == 40 * 40
    assert 0 < len(near) < len(full)
    corner = near[(near["x"] == near["x"].min()) & (near["y"] == full["y"].max())]
    assert corner.empty  # depth 1 with the largest SumNeurons was never sampled


def steep_table():
    """A table whose Gaussian GAM extrapolates its minimum below zero."""
    table = lecture_table(40, seed=0)
    dropout = table["input_dropout"]
    noise = np.random.default_rng(0).uniform(0, 0.05, len(table))
    table["test_mse"] = 0.3 * (1 - dropout / dropout.max()) ** 3 + noise
    return table


def test_a_negative_predicted_mse_is_clipped_with_a_note_and_a_possible_one_is_not(tmp_path):
    from h2osweep.report.outputs import write_report

    steep = analyze(steep_table(), target="test_mse")
    write_report(steep, tmp_path)
    assert "pygam&#x27;s summary, not mgcv&#x27;s" in (tmp_path / "report.html").read_text()
    assert (
        f"{steep.suggested.extrapolated:.3g} (an extrapolation: see below)"
        in (tmp_path / "report.html").read_text()
    )
    assert steep.suggested.value == steep.prepared.y.min() > 0  # clipped, never below zero
    assert "below zero where no run was" in steep.suggested.note
    assert "the additive fit extrapolates" in steep.suggested.note
    assert steep.suggested.extrapolated < 0  # the report shows it, called an extrapolation
    assert "optimize" not in steep.suggested.note  # a DataFrame has no sweep folder to retrain
    assert steep.suggested.note not in steep.notes  # shown once, beside the optimum
    plain = analyze(lecture_table(200, seed=2), target="test_mse")
    assert plain.suggested.value > 0
    assert "below zero" not in plain.suggested.note


LECTURE_PARAMS = ["l1", "l2", "input_dropout", "rho", "epsilon", "depth", "SumNeurons",
                  "MeanHiddenDropout"]  # fmt: skip


@pytest.mark.parametrize("family", ["gamma", "log"])
def test_gamma_and_log_families_never_predict_below_zero(family):
    table = steep_table()
    gaussian = fit_gam(prepare(table, "test_mse", LECTURE_PARAMS))
    fit = fit_gam(prepare(table, "test_mse", LECTURE_PARAMS), family=family)
    assert fit.family == family and fit.model is not None
    grid = candidate_points(fit, prepare(table, "test_mse", LECTURE_PARAMS), seed=0)
    assert gaussian.predict(grid).min() < 0 < fit.predict(grid).min()
    steep = analyze(table, target="test_mse", gam_family=family)
    assert steep.suggested.value > 0 and "below zero" not in steep.suggested.note
    assert (family == "gamma") == ("gamma family with a log link" in " ".join(steep.gam_fit.notes))


def test_a_family_needs_a_positive_target_and_must_be_known():
    table = steep_table().assign(test_mse=lambda t: t["test_mse"] - 0.02)
    with pytest.raises(UserInputError, match="^gam_family gamma needs a target above zero"):
        analyze(table, target="test_mse", gam_family="gamma")
    with pytest.raises(UserInputError, match="^gam_family must be one of gaussian, gamma, log"):
        analyze(table, target="test_mse", gam_family="poisson")


def test_a_gam_over_layers_and_units_alone_keeps_its_point():
    """depth and SumNeurons are columns of a layers/units grid too; when the GAM moves only
    layers and units, they follow, so the configuration trained is the point predicted."""
    rng = np.random.default_rng(0)
    grid = [(layers, units) for layers in (1, 2, 3, 4) for units in (10, 20, 30, 40, 50, 60)]
    runs = pd.DataFrame(
        {
            "name": [f"g_{i + 1}" for i in range(len(grid))],
            "layers": [layers for layers, _ in grid],
            "units": [units for _, units in grid],
            "depth": [layers for layers, _ in grid],
            "SumNeurons": [layers * units for layers, units in grid],
            "y": [(n - 2.5) ** 2 + (u - 35) ** 2 / 100 + rng.normal(0, 0.05) for n, u in grid],
        }
    )
    params = ["layers", "units", "depth", "SumNeurons"]
    analysis = analyze(runs, target="y", params=params, gam_formula="s(units) + s(layers, k=4)")
    config = analysis.gam_config
    assert "a random point" in analysis.suggested.note
    assert config["depth"] == config["layers"] and "neurons" not in config
    assert config["SumNeurons"] == config["layers"] * config["units"]
    assert (config["layers"], config["units"]) == (3, 35)


def test_too_many_coefficients_names_only_what_was_done():
    """Bases already at k=4 are not said to be cut to k=4; the linearised terms are named."""
    from h2osweep.analysis.gam_formula import GamTerm, fit_to_runs

    notes: list[str] = []
    terms = fit_to_runs([GamTerm("s", ("a",), 4), GamTerm("s", ("b",), 4)], 7, notes)
    assert terms == [GamTerm("s", ("a",), 4), GamTerm("l", ("b",))]
    assert notes == ["GAM: 9 coefficients for 7 runs is too many; made linear: s(b)."]
    notes.clear()
    fit_to_runs([GamTerm("s", ("a",), 10)], 8, notes)
    assert notes == ["GAM: 11 coefficients for 8 runs is too many; bases cut to k=4."]


def test_few_runs_notes_in_order_and_the_suggestion_cautioned():
    """A te() term over a variable of 3 values is split (said once, then each s() as it is),
    the formula is stated after what shaped it, and a suggestion from a GAM that had to leave a
    hyperparameter out for lack of runs says so."""
    rows = 12
    table = pd.DataFrame(
        {
            "depth": [1 + i % 3 for i in range(rows)],
            "SumNeurons": [10.0 * (i + 1) for i in range(rows)],
            "l1": np.linspace(1e-5, 1e-3, rows),
            "valid_mse": np.linspace(0.3, 0.1, rows) + 0.01 * np.sin(np.arange(rows)),
        }
    )
    fit = fit_gam(prepare(table, "valid_mse", ["depth", "SumNeurons", "l1"]))
    gam_notes = [note for note in fit.notes if note.startswith("GAM")]
    assert gam_notes[0] == (
        "GAM: te(depth,SumNeurons) split into one term per variable: depth has only 3 distinct "
        "values."
    )
    assert gam_notes[1] == "GAM: s(depth) has only 3 distinct values; linear instead."
    assert fit.notes[-1].startswith("GAM (s(x, k=4) per numeric hyperparameter): valid_mse ~ ")
    assert fit.left_out == []
    few = analyze(table.head(4), target="valid_mse")
    assert few.gam_fit.left_out and "With 4 runs the GAM had to leave out" in few.suggested.note


def test_a_gam_that_misses_the_best_run_says_to_retrain_the_best_run_first():
    """One run far better than the rest, the others noise: the GAM's best prediction is near
    the median, which its suggestion's note says; a GAM that fits its runs says nothing."""
    table = lecture_table(12, seed=5)
    table["test_mse"] = np.random.default_rng(1).uniform(0.3, 0.8, len(table))
    table.loc[3, "test_mse"] = 0.01
    note = analyze(table, target="test_mse").suggested.note
    assert "nearer the median run (0.5338) than the best run observed (0.01)" in note
    assert (
        "nearer the median"
        not in analyze(lecture_table(60, seed=2), target="test_mse").suggested.note
    )
