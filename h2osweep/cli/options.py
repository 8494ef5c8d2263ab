"""Option groups shared by several commands (data, cluster, training, output), and their parsing."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from h2osweep.errors import UserInputError


def add_sweep_command_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    """The option groups of every sweep command (random, grid, search)."""
    from h2osweep.cli.selection import add_selection_options

    add_data_options(parser)
    add_selection_options(parser)
    add_training_options(parser, epochs=None)
    add_sweep_options(parser, default_out)
    add_cluster_options(parser)


def add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data",
        default="digits",
        metavar="NAME|PATH",
        help="'digits' (default), a Kaggle digits CSV, a UCI HAR folder, a CSV, or a file the "
        "cluster reads itself: hdfs://, s3://, s3a://, gs:// (see --data-on-cluster)",
    )
    group.add_argument(
        "--data-on-cluster",
        action="store_true",
        help="--data is a path on the cluster's own file system: each cluster imports it, "
        "nothing passes through this machine (needs --target)",
    )
    group.add_argument("--target", metavar="COLUMN", help="target column of a plain CSV")
    group.add_argument(
        "--test-fraction",
        type=float,
        default=0.2,
        metavar="F",
        help="share held out for testing where the data has no test set (0.2)",
    )
    group.add_argument(
        "--split-seed", type=int, default=42, metavar="S", help="seed of that split (42)"
    )


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "H2O cluster", "default: an embedded H2O on 127.0.0.1, started and stopped by h2osweep"
    )
    group.add_argument(
        "--url",
        metavar="URL",
        action="append",
        help="use a running cluster, e.g. https://h2o.example:54321 "
        "(credentials: H2OSWEEP_USERNAME / H2OSWEEP_PASSWORD); give it again for a pool of "
        "clusters that share a sweep's builds",
    )
    group.add_argument(
        "--clusters",
        metavar="FILE",
        help="a pool of clusters: one URL per line (# starts a comment), added to any --url",
    )
    group.add_argument("--username", metavar="NAME", help="user for --url (or H2OSWEEP_USERNAME)")
    group.add_argument("--cacert", metavar="FILE", help="CA certificate file for an https --url")
    group.add_argument(
        "--insecure", action="store_true", help="do not verify the https certificate of --url"
    )
    group.add_argument(
        "--nthreads",
        type=int,
        default=-1,
        metavar="N",
        help="threads of the embedded H2O (-1: all cores)",
    )
    group.add_argument("--max-mem", metavar="SIZE", help="heap of the embedded H2O, e.g. 4G")


def add_training_options(parser: argparse.ArgumentParser, epochs: float | None) -> None:
    from h2osweep.training.algorithms import ALGORITHMS, DEEPLEARNING

    group = parser.add_argument_group("training")
    group.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        default=DEEPLEARNING,
        help="the H2O algorithm to tune (deeplearning); its parameters are the cluster's own",
    )
    default = "the lecture's 100" if epochs is None else f"{epochs:g}"
    group.add_argument(
        "--epochs",
        type=float,
        default=epochs,
        metavar="E",
        help=f"epochs per deep-learning model ({default})",
    )
    group.add_argument(
        "--parallel",
        type=int,
        metavar="N",
        help="models building at once, plus one started early when another is about to end "
        "(default: one per cluster core, plus one)",
    )
    group.add_argument(
        "--not-reproducible",
        dest="reproducible",
        action="store_false",
        help="let H2O use every thread per model (faster, results vary per run)",
    )


def add_sweep_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    group = parser.add_argument_group("results")
    group.add_argument(
        "--out",
        type=Path,
        default=Path(default_out),
        metavar="DIR",
        help=f"sweep folder; run again to resume ({default_out})",
    )
    group.add_argument(
        "--force-new",
        action="store_true",
        help="start over in a folder of another sweep (old files are moved aside)",
    )
    group.add_argument("--quiet", action="store_true", help="print only the final summary line")
    group.add_argument(
        "--report-every",
        type=int,
        metavar="N",
        help="rewrite DIR/report/report.html every N finished runs while the sweep runs "
        "(and once at the end)",
    )
    add_budget_options(parser)


def add_budget_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("budget")
    group.add_argument("--max-models", type=int, metavar="N", help="train at most N models now")
    group.add_argument(
        "--max-runtime",
        type=float,
        metavar="SECONDS",
        help="start no model after this many seconds",
    )
    group.add_argument(
        "--patience",
        type=int,
        metavar="K",
        help="stop when the best metric did not improve in the last K runs",
    )
    group.add_argument(
        "--tolerance",
        type=float,
        default=0.0,
        metavar="T",
        help="improvement smaller than T does not count (0)",
    )


def add_space_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--space",
        type=Path,
        metavar="FILE",
        help="the space to draw from, a TOML or JSON file (default: the lecture's, for "
        "deeplearning); see 'h2osweep space --help'",
    )


def chosen_space(args: argparse.Namespace):
    """The space of --space, or None when none is given."""
    from h2osweep.space.space_file import read_space_file

    return read_space_file(args.space) if args.space is not None else None


def cluster_options(args: argparse.Namespace):
    """ClusterOptions from the parsed arguments (the password only from the environment)."""
    from h2osweep.cluster import ClusterOptions

    if args.cacert and not os.path.isfile(args.cacert):
        raise UserInputError(f"--cacert {args.cacert} is not a file")
    urls = [*(args.url or []), *pool_file(args.clusters)]
    remote_only = [
        f"--{name}" for name in ("username", "cacert", "insecure") if getattr(args, name)
    ]
    if remote_only and not urls:
        raise UserInputError(
            f"{' and '.join(remote_only)} {'is' if len(remote_only) == 1 else 'are'} only for "
            "a remote --url; the embedded H2O needs none"
        )
    if args.max_mem and urls:
        raise UserInputError("--max-mem sizes the embedded H2O; a remote --url keeps its own heap")
    return ClusterOptions(  # which refuses a bad heap size or thread count before a JVM starts
        url=urls or None,
        nthreads=args.nthreads,
        max_mem=args.max_mem,
        username=args.username,
        cacert=args.cacert,
        insecure=args.insecure,
    )


def cluster_data(args: argparse.Namespace, valid_fraction: float | None):
    """The description of data each cluster imports itself (nothing is read here)."""
    from h2osweep.data.loading import check_split
    from h2osweep.data.on_cluster import ClusterData

    check_split(args.test_fraction, args.split_seed, valid_fraction, args.valid)
    if args.target is None:
        raise UserInputError(
            f"--data {args.data} is read by the cluster: name its target column with --target"
        )
    if args.valid is not None:
        raise UserInputError(
            "--valid reads a file on this machine; with data the cluster reads, carve the "
            "validation part with --valid-fraction"
        )
    return ClusterData(args.data, args.target, args.test_fraction, args.split_seed, valid_fraction)


def pool_file(path: str | None) -> list[str]:
    """The URLs of a --clusters file: one per line, blank lines and # comments skipped."""
    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserInputError(f"--clusters {path} cannot be read: {error}") from error
    urls = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    urls = [url for url in urls if url]
    if not urls:
        raise UserInputError(f"--clusters {path} names no cluster: give one URL per line")
    return urls


def load_local_data(args: argparse.Namespace):
    """The data of a sweep command, with the validation part its selection needs."""
    from h2osweep.cli.selection import valid_fraction
    from h2osweep.data import load_data
    from h2osweep.data.on_cluster import on_cluster

    if args.data_on_cluster or on_cluster(args.data):
        return cluster_data(args, valid_fraction(args))
    return load_data(
        args.data,
        target=args.target,
        test_fraction=args.test_fraction,
        split_seed=args.split_seed,
        valid_fraction=valid_fraction(args),
        valid=args.valid,
    )


def parse_param(text: str) -> tuple[str, list]:
    """NAME=V1,V2,... (numbers, words, true/false) or NAME=[JSON list] for list values."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UserInputError(f"--param must look like NAME=V1,V2,..., but got {text!r}")
    values = values.strip()
    if values.startswith("["):
        try:
            parsed = json.loads(values)
        except json.JSONDecodeError as error:
            raise UserInputError(
                f"--param {name}: {values!r} is not a JSON list ({error})"
            ) from error
        items = parsed if isinstance(parsed, list) else [parsed]
    else:
        items = [_scalar(item.strip()) for item in values.split(",") if item.strip()]
    if not items:
        raise UserInputError(f"--param {name} has no values: give {name}=V1,V2,...")
    _check_layer_lists(name, items)
    return name, items


def _check_layer_lists(name: str, items: list) -> None:
    """Layer sizes are lists, so a grid of them is a list of lists: say so in --param's words."""
    from h2osweep.record.columns import LAYER_COLUMNS

    flat = next((item for item in items if not isinstance(item, list)), None)
    if name in LAYER_COLUMNS and flat is not None:
        raise UserInputError(
            f"parameter {name!r} takes a list of layer sizes, but got {flat!r}: write each value "
            f"as a list, e.g. --param '{name}=[[50,50]]' or --param '{name}=[[50,50],[100]]'"
        )


def _scalar(text: str):
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def say_store_damage(folder) -> None:
    """Say on stderr that a folder's store is damaged, so its readers take results.csv."""
    from h2osweep.store.results_store import store_damage

    if damage := store_damage(folder):
        print(f"reading results.csv: {damage}", file=sys.stderr)
