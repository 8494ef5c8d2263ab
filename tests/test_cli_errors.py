"""User mistakes on every command: exit status 2, one exact line on stderr, nothing written.

Each case is (arguments, the whole message); `{out}`, `{csv}`, `{empty}`, `{file}`, `{port}` and
the other input files of `_inputs` are filled in per test. A message ending in `…` is compared
up to there (its tail is another library's wording). `{sweep}` is a copy of a real one-run sweep
folder, so "a results folder from a different space" is the real thing; `{bad_json}` and
`{bad_db}` are copies whose sweep.json or store.sqlite is damaged. The corpus runs in-process
through `main()`; a few cases run again as real subprocesses, where the process boundary
(interpreter start, stderr, exit status) is the promise.
"""

from __future__ import annotations

import shutil

import pytest

from h2osweep.cluster import H2OCluster, free_port_pair
from tests.conftest import cli, run_cli

TINY = ["--param", "units=4", "--param", "layers=1"]
LIB = "h2osweep: error: "
NO_ROWS = ": give a results table, one run per row under a header of column names"
GLM_SPACE = ["--space", "{glm_space}"]  # a library error, spelled by the CLI
REGRESSION = ["--data", "{regression}", "--target", "y"]  # a numeric target


def usage(command: str, message: str) -> str:
    """An argparse usage error of `command` (its --help named)."""
    prog = f"h2osweep {command}".strip()
    return f"{prog}: error: {message} (see '{prog} --help')"


METRICS = (
    ", ".join(
        f"{part}_{name}"
        for name in ("mse", "rmse", "r2", "logloss", "mean_per_class_error")
        for part in ("valid", "xval", "test")
    )
    + " or a name alone (mse, rmse, r2, logloss, mean_per_class_error)"
)
DATA_HELP = (
    "use 'digits', a Kaggle digit-recognizer train.csv, a 'UCI HAR Dataset' folder, or a CSV "
    "or Parquet file with --target COLUMN"
)
REMOTE_ONLY = "only for a remote --url; the embedded H2O needs none"
MEMORY = "--max-mem: memory must be a positive whole number of M or G such as 4G, but got"

# What each command needs before an option of its own can be refused.
LEAD = {"demo": [], "grid": TINY, "optimize": ["{out}"], "search": ["--n-runs", "2"]}


def on_each(commands, options: list[str], message: str) -> list[tuple[list[str], str]]:
    """The same refused options on several commands."""
    return [([command, *LEAD[command], *options], message) for command in commands]


CORPUS = [
    (["random", "--seeds", "abc"], usage("random", "argument --seeds: invalid int value: 'abc'")),
    (["random"], LIB + "give the seeds to run: --seeds 403 10, or --n-runs N [--first-seed S]"),
    (
        ["random", "--seeds", "1", "--n-runs", "2"],
        LIB + "give either --seeds or --n-runs, not both",
    ),
    (
        ["random", "--seeds", "2147483648"],
        LIB + "--seeds must be an integer in [-2147483647, 2147483647], but got 2147483648",
    ),
    (
        ["random", "--n-runs", "3", "--first-seed", "2147483646"],
        LIB + "--first-seed 2147483646 and --n-runs 3 go past R's largest seed, 2147483647",
    ),
    (
        ["random", "--seeds", "1", "1"],
        LIB + "each seed may appear once, but [1] appear more than once",
    ),
    (["random", "--n-runs", "0"], LIB + "--n-runs must be at least 1, but got 0"),
    (
        ["random", "--seeds", "1", "--epochs", "-1"],
        LIB + "--epochs must be positive and finite, but got -1",
    ),
    (
        ["random", "--seeds", "1", "--parallel", "0"],
        LIB + "--parallel must be at least 1, but got 0",
    ),
    (
        ["random", "--seeds", "1", "--data", "nosuch"],
        LIB + f"--data nosuch: no such file or folder; {DATA_HELP}",
    ),
    (  # a folder is read as UCI HAR, whatever --target says
        ["random", "--seeds", "1", "--data", "{orphan}", "--target", "y"],
        LIB + "{orphan} is not a UCI HAR Dataset folder (missing features.txt, "
        "activity_labels.txt, train/X_train.txt, train/y_train.txt, test/X_test.txt, "
        f"test/y_test.txt): {DATA_HELP}",
    ),
    (
        ["random", "--seeds", "1", "--data", "{csv}"],
        LIB + "{csv} has no known target: name its target column with --target",
    ),
    (
        ["random", "--seeds", "1", "--data", "{csv}", "--target", "nope"],
        LIB + "the data has no target column 'nope' (columns: a, b)",
    ),
    (
        ["random", "--seeds", "1", "--data", "{empty}", "--target", "y"],
        LIB + "{empty} is not a readable CSV file (Parquet needs a .parquet name): …",
    ),
    (
        ["random", "--seeds", "1", "--url", "ftp://host:1"],
        LIB + "--url must look like http://HOST:PORT or https://HOST:PORT, but got 'ftp://host:1'",
    ),
    (
        ["random", "--seeds", "1", "--url", "http://127.0.0.1:{port}"],
        LIB + "no H2O cluster answers at http://127.0.0.1:{port}: …",
    ),
    (
        ["random", "--seeds", "1", "--out", "{file}"],
        LIB + "--out {file} is a file; give a folder for the sweep's results",
    ),
    (["random", "--seeds", "1", "--max-mem", "4T"], LIB + f"{MEMORY} '4T'"),
    (["random", "--seeds", "1", "--max-mem", "0G"], LIB + f"{MEMORY} '0G'"),
    (
        ["random", "--seeds", "1", "--max-models", "0"],
        LIB + "--max-models must be at least 1, but got 0",
    ),
    (
        ["random", "--seeds", "1", "--max-runtime", "-5"],
        LIB + "--max-runtime must be a positive number of seconds, but got -5",
    ),
    (
        ["random", "--seeds", "1", "--max-runtime", "nan"],
        LIB + "--max-runtime must be a positive number of seconds, but got nan",
    ),
    (
        ["random", "--seeds", "1", "--patience", "0"],
        LIB + "--patience must be at least 1, but got 0",
    ),
    (
        ["random", "--seeds", "1", "--tolerance", "nan"],
        LIB + "--tolerance must be a finite number, 0 or more, but got nan",
    ),
    (
        ["random", "--seeds", "1", "--test-fraction", "2"],
        LIB + "--test-fraction must be between 0 and 1, but got 2",
    ),
    (
        ["random", "--seeds", "1", "--nthreads", "0"],
        LIB + "--nthreads must be -1 (all cores) or at least 1, but got 0",
    ),
    (
        ["random", "--seeds", "1", "--cacert", "/no/such/ca.pem"],
        LIB + "--cacert /no/such/ca.pem is not a file",
    ),
    (["random", "--seeds", "1", "--insecure"], LIB + f"--insecure is {REMOTE_ONLY}"),
    (["random", "--seeds", "1", "--username", "alice"], LIB + f"--username is {REMOTE_ONLY}"),
    (["random", "--seeds", "1", "--cacert", "{file}"], LIB + f"--cacert is {REMOTE_ONLY}"),
    (
        ["random", "--seeds", "1", "--username", "alice", "--cacert", "{file}"],
        LIB + f"--username and --cacert are {REMOTE_ONLY}",
    ),
    (
        ["random", "--seeds", "1", "--max-mem", "1G", "--url", "http://127.0.0.1:{port}"],
        LIB + "--max-mem sizes the embedded H2O; a remote --url keeps its own heap",
    ),
    (
        ["random", "--seeds", "1", "--goal", "best"],
        usage("random", "argument --goal: invalid choice: 'best' (choose from 'min', 'max')"),
    ),
    (
        ["random", "--seeds", "1", "--epochs", "nan"],
        LIB + "--epochs must be positive and finite, but got nan",
    ),
    (
        ["random", "--seeds", "1", "--epochs", "inf"],
        LIB + "--epochs must be positive and finite, but got inf",
    ),
    (
        ["random", "--seeds", "1", "--metric", "accuracy"],
        LIB + f"--metric must be one of {METRICS}, but got 'accuracy'",
    ),
    (
        ["random", "--seeds", "1", "--first-seed", "5"],
        LIB + "--first-seed goes with --n-runs; --seeds names every seed itself",
    ),
    (
        ["search", "--strategy", "asha", "--n-runs", "5", "--startup", "sampler"],
        LIB + "--startup is for --strategy tpe or gp; asha draws its configurations with "
        "--sampler random (R-exact) or tpe",
    ),
    (
        ["random", "--seeds", "1", "--metric", "validation"],
        LIB + f"--metric must be one of {METRICS}, but got 'validation'",
    ),
    (
        ["random", "--seeds", "1", "--metric", "train_foo"],
        LIB + f"--metric must be one of {METRICS}, but got 'train_foo'",
    ),
    (
        ["random", "--seeds", "1", "--metric", "train_mse"],
        LIB + "--metric train_mse is measured on the training rows, which cannot choose the best "
        "(every model fits them): give valid_mse, xval_mse, test_mse, or mse alone",
    ),
    (
        ["random", "--seeds", "1", "--split-seed", "-1"],
        LIB + "--split-seed: the split seed must be a whole number from 0 to 4294967295, "
        "but got -1",
    ),
    (
        ["random", "--seeds", "1", "--target", "pixel0"],
        LIB + "digits has its own target 'label'; --target pixel0 is only for a plain CSV",
    ),
    (
        ["random", "--seeds", "1", "--data", "{const}", "--target", "y"],
        LIB + "the target 'y' is 1 in every labelled row: nothing to learn",
    ),
    (
        ["random", "--seeds", "1", "--out", "{orphan}"],
        LIB + "{orphan} has results.csv but no store.sqlite (not an h2osweep sweep, or its store "
        "was removed); use another --out, or --force-new to move them aside",
    ),
    (["random", "--seeds", "1", "--bogus"], usage("random", "unrecognized arguments: --bogus")),
    (["grid"], usage("grid", "the following arguments are required: --param")),
    (["grid", "--param", "layers="], LIB + "--param layers has no values: give layers=V1,V2,..."),
    (
        ["grid", "--param", "layerz=1,2"],
        LIB + "unknown parameter 'layerz' (did you mean 'layers'?): use any "
        "H2ODeepLearningEstimator argument (epochs, hidden, l1, rate, ...), the lecture's "
        "neurons/hidden_dropout/input_dropout, or the shorthands layers/units",
    ),
    (["grid", "--param", "l1=abc"], LIB + "parameter 'l1' cannot be 'abc': H2O takes numbers here"),
    (
        ["grid", "--param", "activation=relu"],
        LIB + "parameter 'activation' cannot be 'relu': H2O takes one of maxout, "
        "maxoutwithdropout, rectifier, rectifierwithdropout, tanh, tanhwithdropout (in any case, "
        "underscores aside)",
    ),
    (
        ["grid", "--param", "epochs=-1"],
        LIB + "parameter 'epochs' must be a positive number, but got -1",
    ),
    (
        ["grid", "--param", "noequals"],
        LIB + "--param must look like NAME=V1,V2,..., but got 'noequals'",
    ),
    (["grid", "--param", "hidden=[1,"], LIB + "--param hidden: '[1,' is not a JSON list (…"),
    (
        ["grid", "--param", "l1=1", "--param", "l1=2"],
        LIB + "each --param name may be given once",
    ),
    (
        ["grid", "--param", "seed=1,2"],
        LIB + "parameter 'seed' is set by h2osweep itself and cannot be swept",
    ),
    (
        ["grid", "--param", "epochs=1,2", "--epochs", "3"],
        LIB + "give epochs once: as the grid's or space's epochs entry, or as --epochs",
    ),
    (  # the space's epochs would be recorded and --epochs trained
        ["random", "--seeds", "1", "--space", "{epochs_space}", "--epochs", "2", "--out", "{out}"],
        LIB + "give epochs once: as the grid's or space's epochs entry, or as --epochs",
    ),
    (
        ["search", "--n-runs", "2", "--space", "{epochs_space}", "--epochs", "2"],
        LIB + "give epochs once: as the grid's or space's epochs entry, or as --epochs",
    ),
    (
        ["search", "--n-runs", "2", "--startup", "never"],
        usage(
            "search",
            "argument --startup: invalid choice: 'never' (choose from 'prior', 'sampler')",
        ),
    ),
    (["show", "{out}"], LIB + "no sweep folder at {out}: it does not exist"),
    (
        ["show", "{file}"],
        LIB + "{file} is a file, not a sweep folder (a table from elsewhere? "
        "h2osweep analyze {file} reads it)",
    ),  # fmt: skip
    (
        ["frobnicate"],
        usage(
            "",
            "argument COMMAND: invalid choice: 'frobnicate' (choose from 'demo', 'random', "
            "'grid', 'search', 'space', 'show', 'analyze', 'export', 'optimize')",
        ),
    ),
    # analyze: files and tables
    (
        ["analyze", "{out}/nosuch.csv", "--out", "{out}"],
        LIB + "results not found: '{out}/nosuch.csv' is neither a file nor a folder",
    ),
    (
        ["analyze", "sqlite:///{out}/study.db", "--out", "{out}"],
        LIB + "no Optuna storage at 'sqlite:///{out}/study.db': {out}/study.db does not exist",
    ),
    (
        ["analyze", "{sweep}/store.sqlite", "--out", "{out}"],
        LIB + "'{sweep}/store.sqlite' is a database, but not an Optuna study's storage: give a "
        "sweep folder rather than its store, or a results table (CSV or Parquet)",
    ),
    (
        ["analyze", "sqlite:///{studies}", "--out", "{out}"],
        LIB + "the Optuna storage 'sqlite:///{studies}' holds 2 studies ('a', 'b'): name one "
        "with --study-name",
    ),
    (
        ["analyze", "{studies}", "--study-name", "c", "--out", "{out}"],
        LIB + "--study-name 'c' is not in '{studies}'; its studies: 'a', 'b'",
    ),
    (["analyze", "{empty}", "--out", "{out}"], LIB + "the table '{empty}' is empty (no rows)"),
    (["analyze", "{header}", "--out", "{out}"], LIB + "the table '{header}' has no rows" + NO_ROWS),
    (
        ["analyze", "{line}", "--out", "{out}"],
        LIB + "the table '{line}' has no rows (its one line, "
        "'hello world', is read as the header)" + NO_ROWS,
    ),
    (
        ["analyze", "{parquet}", "--out", "{out}"],
        LIB + "cannot read '{parquet}' as CSV, Parquet or JSON records: …",
    ),
    (
        ["analyze", "{csv}", "--target", "nope", "--out", "{out}"],
        LIB + "unknown target 'nope'; columns: a, b",
    ),
    (
        ["analyze", "{words}", "--target", "y", "--out", "{out}"],
        LIB + "target 'y' is not numeric (e.g. 'x')",
    ),
    (
        ["analyze", "{single}", "--target", "y", "--out", "{out}"],
        LIB + "need at least 2 runs with a y to analyse, found 1",
    ),
    (
        ["analyze", "{csv}", "--target", "b", "--all-rungs", "--out", "{out}"],
        LIB + "--all-rungs needs a multi-fidelity sweep folder of h2osweep as the results",
    ),
    (
        ["analyze", "{semicolons}", "--target", "y", "--out", "{out}"],
        LIB + "target 'y' has a single value (0.5) in every run: nothing to explain",
    ),  # read with its own separator and decimal commas: y is 0,5 in each run, a number
    (
        ["analyze", "{flat}", "--target", "y", "--out", "{out}"],
        LIB + "no hyperparameter varies across the 3 runs with a y (each is constant or "
        "missing): nothing to explain it by",
    ),
    (
        ["analyze", "{csv}", "--target", "b", "--goal", "best", "--out", "{out}"],
        usage("analyze", "argument --goal: invalid choice: 'best' (choose from 'min', 'max')"),
    ),
    (
        ["analyze", "{csv}", "--target", "b", "--params", "zz", "--out", "{out}"],
        LIB + "unknown --params column(s) zz; columns: a, b",
    ),
    (
        ["analyze", "{words}", "--target", "a", "--gam", "s(zz)", "--out", "{out}"],
        LIB + "GAM term s(zz) names unknown column(s) zz; numeric columns: b, y_w, y_x, y_z",
    ),
    (
        ["analyze", "{csv}", "--target", "b", "--out", "{file}"],
        LIB + "cannot create the output folder '{file}': …",
    ),
    (
        ["analyze", "{csv}", "--target", "b"],
        usage("analyze", "the following arguments are required: --out"),
    ),
    (
        ["analyze", "{csv}", "--target", "b", "--compare", "{out}", "--out", "{out}"],
        LIB + "--compare needs a sweep folder of h2osweep as the results",
    ),
    # multi-fidelity search
    (
        ["search", "--n-runs", "2", "--sampler", "tpe"],
        LIB + "--sampler is for --strategy sha, hyperband or asha, not tpe",
    ),
    (
        ["search", "--n-runs", "2", "--strategy", "random", "--eta", "2"],
        LIB + "--eta is for --strategy sha, hyperband or asha, not random",
    ),
    (
        ["search", "--n-runs", "9", "--strategy", "sha", "--min-epochs", "5", "--max-epochs", "3"],
        LIB + "--min-epochs 5 is above --max-epochs 3",
    ),
    (
        ["search", "--n-runs", "9", "--strategy", "asha", "--min-epochs", "0.5"],
        LIB + "--min-epochs must be a whole number (H2O trains whole epochs and trees), "
        "but got 0.5",
    ),
    (
        ["search", "--n-runs", "9", "--strategy", "hyperband", "--eta", "1"],
        LIB + "--eta must be at least 2, but got 1",
    ),
    (
        ["search", "--n-runs", "1", "--strategy", "sha"],
        LIB + "a bracket of 1 configuration(s) from 1 to 9 with eta 3 leaves fewer than one at "
        "the top: give --n-runs of at least 9",
    ),
    (
        ["random", "--seeds", "1", *REGRESSION, "--metric", "logloss", "--goal", "min"],
        LIB + "--metric valid_logloss is measured for classification only, and the target is "
        "numeric (a regression): choose mse, rmse or r2",
    ),
    (
        ["grid", *[f"--param=x{i}=0,1,2,3,4,5,6,7,8,9" for i in range(7)], "--goal", "min"],
        LIB + "the grid has 10 x 10 x 10 x 10 x 10 x 10 x 10 = 10,000,000 combinations, more "
        "than the 1,000,000 a sweep plans: give fewer values, or draw configurations at random "
        "from a space",
    ),
    (
        ["search", "--n-runs", "16", "--strategy", "hyperband", "--goal", "min"],
        LIB + "hyperband from 1 to 9 with eta 3 shares 16 configuration(s) among 3 brackets, "
        "leaving one with fewer than one at the top: give --n-runs of at least 17",
    ),
    (
        ["search", "--n-runs", "9", "--strategy", "asha", "--epochs", "3"],
        LIB + "--strategy asha trains each rung to its own budget: give --min-epochs and "
        "--max-epochs, not --epochs",
    ),
    (
        ["search", "--n-runs", "9", "--strategy", "asha", "--space", "{epochs_space}"],
        LIB + "--strategy asha sets epochs per rung, but the space sets epochs too: remove its "
        "entry from the space",
    ),
    (
        [
            "search",
            "--n-runs",
            "9",
            "--strategy",
            "hyperband",
            "--min-epochs",
            "3",
            "--max-epochs",
            "3",
        ],
        LIB + "--min-epochs equals --max-epochs (3): a single rung leaves nothing to halve; give "
        "a lower --min-epochs, or run a random search at that budget",
    ),  # fmt: skip
    (
        ["search", "--n-runs", "9", "--strategy", "sha", "--algorithm", "glm", *GLM_SPACE],
        LIB + "--algorithm glm cannot continue a model from a checkpoint, so a multi-fidelity "
        "search cannot grow it: use deeplearning, gbm, xgboost, drf",
    ),
    (
        ["search", "--n-runs", "9", "--strategy", "asha", "--algorithm", "glm"],
        LIB + "--algorithm glm cannot continue a model from a checkpoint, so a multi-fidelity "
        "search cannot grow it: use deeplearning, gbm, xgboost, drf",
    ),  # said before it asks for a space file that could not help
    # optimize and demo
    (["optimize", "{out}"], LIB + "no sweep folder at {out}: it does not exist"),
    (["optimize", "{orphan}"], LIB + "{orphan} is not a sweep folder: it has no sweep.json"),
    (
        ["optimize", "{out}", "--config", "worst"],
        usage(
            "optimize",
            "argument --config: invalid choice: 'worst' (choose from 'best', 'gam', 'lecture')",
        ),
    ),
    (
        ["optimize", "{out}", "--epochs", "-1"],
        LIB + "--epochs must be positive and finite, but got -1",
    ),
    (
        ["demo", "--runs", "1", "--out", "{out}"],
        LIB + "--runs must be at least 3 for the analysis, but got 1",
    ),
    (
        ["demo", "--epochs", "0", "--out", "{out}"],
        LIB + "--epochs must be positive and finite, but got 0",
    ),
    (
        ["demo", "--out", "{file}"],  # refused before H2O starts or a stage line is printed
        LIB + "--out {file} is a file; give a folder for the sweep's results",
    ),
    # the cluster options every command shares, refused on the commands not shown above
    *on_each(
        ("demo", "optimize", "search"),
        ["--username", "alice", "--cacert", "{file}"],
        LIB + f"--username and --cacert are {REMOTE_ONLY}",
    ),
    *on_each(("demo", "grid", "search"), ["--insecure"], LIB + f"--insecure is {REMOTE_ONLY}"),
    *on_each(
        ("demo", "grid", "optimize", "search"),
        ["--max-mem", "1G", "--url", "http://127.0.0.1:{port}"],
        LIB + "--max-mem sizes the embedded H2O; a remote --url keeps its own heap",
    ),
    *on_each(
        ("demo", "grid", "optimize", "search"),
        ["--nthreads", "-2"],
        LIB + "--nthreads must be -1 (all cores) or at least 1, but got -2",
    ),
    (
        ["grid", *TINY, "--max-runtime", "0"],
        LIB + "--max-runtime must be a positive number of seconds, but got 0",
    ),
    (
        ["random", "--seeds", "1", "--not-reproducible", "--parallel", "0"],
        LIB + "--parallel must be at least 1, but got 0",
    ),
    (
        ["random", "--seeds", "1", "--force-new", "--out", "{file}"],
        LIB + "--out {file} is a file; give a folder for the sweep's results",
    ),
    (
        ["random", "--seeds", "1", "--goal", "max", "--metric", "r2x"],
        LIB + f"--metric must be one of {METRICS}, but got 'r2x'",
    ),
    (
        ["demo", "--runs", "many", "--out", "{out}"],
        usage("demo", "argument --runs: invalid int value: 'many'"),
    ),
    (
        ["demo", "--force-old", "--out", "{out}"],
        usage("demo", "unrecognized arguments: --force-old"),
    ),
    # a real one-run sweep folder ({sweep}, made once with --epochs 1)
    (
        ["grid", *TINY, "--epochs", "2", "--out", "{sweep}"],
        LIB + "{sweep} holds a sweep with other settings (--epochs 1.0 there, 2.0 here); use "
        "another --out, or --force-new to move the old results aside and start over",
    ),
    (
        ["random", "--seeds", "1", "--epochs", "1", "--out", "{sweep}"],
        LIB + "{sweep} holds a grid sweep, and this is a random sweep; use another --out, or "
        "--force-new to move the old results aside and start over",
    ),
    (
        ["analyze", "{sweep}", "--out", "{out}"],
        LIB + "need at least 2 runs with a valid_mse to analyse, found 1",
    ),
    (
        ["analyze", "{sweep}", "--target", "accuracy", "--out", "{out}"],
        LIB + "unknown target 'accuracy'; columns: …",
    ),
    (["show", "{sweep}", "--metric", "nope"], LIB + "{sweep}/results.csv has no column 'nope'"),
    (["show", "{sweep}", "--top", "0"], LIB + "--top must be at least 1, but got 0"),
    (["show", "{sweep}", "--confusion", "g_9"], LIB + "{sweep} has no run named 'g_9'"),
    (
        ["optimize", "{sweep}", "--metric", "nope"],
        LIB + "{sweep}/results.csv has no column 'nope'",
    ),
    (
        ["optimize", "{sweep}", "--config", "gam"],
        LIB + "need at least 2 runs with a valid_mse to analyse, found 1",
    ),
    # an export never writes over the sweep's own files; a storage Optuna cannot use
    (
        ["export", "{sweep}", "--csv", "{sweep}/store.sqlite"],
        LIB + "--csv {sweep}/store.sqlite is one of the sweep's own files: write the export "
        "elsewhere",
    ),
    (
        ["export", "{sweep}", "--optuna", "sqlite+pysqlite:///{sweep}/results.csv?timeout=5"],
        LIB + "--optuna {sweep}/results.csv is one of the sweep's own files: write the export "
        "elsewhere",
    ),
    (
        ["export", "{sweep}", "--optuna", "bogus"],
        LIB + "cannot use the Optuna --optuna bogus: Could not parse SQLAlchemy URL …",
    ),
    (
        ["export", "{sweep}", "--optuna", "sqlite:///{sweep}/no/such/folder/study.db"],
        LIB + "cannot use the Optuna --optuna sqlite:///{sweep}/no/such/folder/study.db: "
        "(sqlite3.OperationalError) unable to open database file (e.g. sqlite:///study.db)",
    ),
    # the same folder with a damaged sweep.json or store.sqlite
    (
        ["show", "{list_json}"],
        LIB + "{list_json}/sweep.json is damaged (it holds a list, not an object); move it away, "
        "or start the sweep over with --force-new",
    ),  # fmt: skip
    (
        ["grid", *TINY, "--epochs", "1", "--out", "{bad_json}"],
        LIB + "{bad_json}/sweep.json is damaged (…",
    ),
    (["optimize", "{bad_json}"], LIB + "{bad_json}/sweep.json is damaged (…"),
    (
        ["grid", *TINY, "--epochs", "1", "--out", "{bad_db}"],
        LIB + "{bad_db}/store.sqlite is damaged (file is not a database); move it away, or "
        "start the sweep over with --force-new (its results.csv keeps the runs finished before)",
    ),
    (
        ["show", "{bad_db}", "--confusion", "g_1"],
        LIB + "{bad_db}/store.sqlite is damaged (file is not a database); move it away, or "
        "start the sweep over with --force-new (its results.csv keeps the runs finished before)",
    ),
]
SWEEPS = ("{sweep}", "{bad_json}", "{bad_db}", "{list_json}")
# Run again as subprocesses: an argparse error, a library error, a store error.
SUBPROCESS = {0, 6, len(CORPUS) - 1}


def _needs_sweep(arguments) -> bool:
    return any(key in argument for argument in arguments for key in SWEEPS)


CASES = [
    pytest.param(
        arguments,
        message,
        id=" ".join(arguments)[:48],
        marks=[pytest.mark.h2o] if _needs_sweep(arguments) else [],  # made on the session H2O
    )
    for arguments, message in CORPUS
]


@pytest.mark.parametrize("arguments, message", CASES)
def test_user_mistake_is_one_line_with_status_2(request, tmp_path, arguments, message, monkeypatch):
    def refuse_to_start(self):
        pytest.fail("a user mistake went as far as starting H2O")

    arguments, expected = _filled(request, tmp_path, arguments, message)
    monkeypatch.setattr(H2OCluster, "_start_embedded", refuse_to_start)  # the session's is up
    before = _snapshot(tmp_path)
    result = cli(*arguments)
    _assert_refused(result.status, result.stderr, expected)
    assert result.stdout == ""
    assert _snapshot(tmp_path) == before, "a user mistake wrote or changed files"


@pytest.mark.parametrize("arguments, message", [CASES[index] for index in sorted(SUBPROCESS)])
def test_user_mistake_in_a_subprocess_is_one_line_with_status_2(
    request, tmp_path, arguments, message
):
    arguments, expected = _filled(request, tmp_path, arguments, message)
    before = _snapshot(tmp_path)
    result = run_cli(*arguments)
    _assert_refused(result.returncode, result.stderr, expected)
    assert _snapshot(tmp_path) == before, "a user mistake wrote or changed files"


def test_optimize_retrains_a_damaged_stores_best_from_results_csv(one_run_sweep, h2o_cluster,
                                                                  tmp_path):  # fmt: skip
    """Not a mistake: the best run and its configuration come from results.csv, and it says so."""
    paths = _inputs(tmp_path)
    _copy_sweeps(one_run_sweep, paths)
    intact = cli("optimize", paths["sweep"], "--epochs", "1", "--url", h2o_cluster.url)
    damaged = cli("optimize", paths["bad_db"], "--epochs", "1", "--url", h2o_cluster.url)
    assert damaged.status == 0, damaged.stderr
    assert damaged.stderr.startswith(f"reading results.csv: {paths['bad_db']}/store.sqlite is ")
    assert damaged.stdout.splitlines()[0] == intact.stdout.splitlines()[0]  # the configuration


def _assert_refused(status: int, stderr: str, expected: str) -> None:
    assert status == 2, stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    line = stderr[:-1]
    if expected.endswith("…"):
        assert line.startswith(expected[:-1]), line
    else:
        assert line == expected


def _filled(request, tmp_path, arguments, message) -> tuple[list[str], str]:
    """The case's arguments and message with its input files made and their paths filled in."""
    paths = _inputs(tmp_path)
    if _needs_sweep(arguments):
        _copy_sweeps(request.getfixturevalue("one_run_sweep"), paths)
    if any("{studies}" in a for a in arguments):
        paths["studies"] = str(_two_studies(tmp_path / "studies.db"))
    arguments = [a.format(**paths) for a in arguments]
    if arguments[0] in ("random", "grid") and "--out" not in arguments:
        arguments += ["--out", paths["out"]]
    return arguments, message.format(**paths)


@pytest.fixture(scope="module")
def one_run_sweep(tmp_path_factory, h2o_cluster):
    """A real sweep folder with one finished run (1 epoch, 4 units) on the session cluster."""
    folder = tmp_path_factory.mktemp("corpus") / "sweep"
    result = cli("grid", *TINY, "--epochs", "1", "--url", h2o_cluster.url, "--out", folder)
    assert result.status == 0, result.stderr
    return folder


def _copy_sweeps(folder, paths: dict[str, str]) -> None:
    for key in ("sweep", "bad_json", "bad_db", "list_json"):
        shutil.copytree(folder, paths[key])
    with open(f"{paths['list_json']}/sweep.json", "w") as description:
        description.write("[1, 2]")  # JSON, but not a sweep's description
    with open(f"{paths['bad_json']}/sweep.json", "r+") as description:
        description.truncate(40)  # cut mid-way, as a full disk would leave it
    with open(f"{paths['bad_db']}/store.sqlite", "r+b") as database:
        database.write(b"not SQLite" * 20)


def _inputs(tmp_path) -> dict[str, str]:
    files = {
        "csv": ("table.csv", "a,b\n1,2\n3,4\n"),
        "empty": ("empty.csv", ""),
        "header": ("header.csv", "a,b,y\n"),
        "line": ("notes.txt", "hello world\n"),
        "words": ("words.csv", "a,b,y\n1,2,x\n3,4,z\n5,6,w\n"),
        "single": ("single.csv", "a,b,y\n1,2,3\n"),
        "semicolons": ("semicolons.csv", "a;y\n1;0,5\n2;0,5\n3;0,5\n"),
        "flat": ("flat.csv", "a,b,y\n1,,3\n1,,inf\n1,,4\n1,,5\n"),  # y: one diverged
        "parquet": ("damaged.parquet", "PAR1 but not really"),
        "file": ("a_file", "not a folder"),
        "const": ("const.csv", "a,y\n1,1\n2,1\n3,1\n"),
        "orphan": ("orphan/results.csv", "name,test_mse\nm_1,0.5\n"),
        "glm_space": ("glm.toml", "[alpha]\nrunif = [0, 1]\n"),
        "regression": ("regression.csv", "a,y\n" + "".join(f"{i},{i / 2}\n" for i in range(30))),
        "epochs_space": ("epochs.toml", "[l1]\nrunif = [0, 0.01]\n[epochs]\nvalue = 3\n"),
    }
    paths = {}
    for key, (name, text) in files.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        paths[key] = str(path.parent if key == "orphan" else path)
    kept = ("out", "sweep", "bad_json", "bad_db", "list_json")
    paths.update({key: str(tmp_path / key) for key in kept})
    paths["port"] = str(free_port_pair())
    return paths


def _two_studies(path):
    """An Optuna storage holding two studies, a and b, each with one trial."""
    import optuna

    for name in ("a", "b"):
        study = optuna.create_study(study_name=name, storage=f"sqlite:///{path}")
        study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=1)
    return path


def _snapshot(folder) -> dict[str, bytes]:
    """Every file's bytes, but SQLite's own shared-memory and log files, which a read-only
    connection to a WAL database leaves beside it (they hold no data of ours)."""
    return {
        str(p): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-shm", "-wal"))
    }


@pytest.mark.h2o
def test_show_ranks_r2_highest_first_and_takes_any_top(one_run_sweep):
    """R² is read higher-is-better when no --goal is given; a --top beyond every run (even past
    SQLite's integers) shows them all."""
    result = cli("show", one_run_sweep, "--metric", "valid_r2", "--top", str(2**64))
    assert result.status == 0, result.stderr
    assert "ranked by valid_r2 (higher is better)" in result.stdout + result.stderr
