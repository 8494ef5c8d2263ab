"""Write an `Analysis` to a folder: the CSV tables, the PNGs and `report.html`, each atomically
and readable by others (0644 under the usual umask), as every output of h2osweep."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.report.figures import Figure, draw_all, figure_files
from h2osweep.store.files import write_atomic

DPI = 110
TABLES = {
    "correlations.csv": ("correlations", ["term", "correlation"]),
    "ols.csv": ("ols", ["term", "coef", "std_err", "t", "p_value"]),
    "importance.csv": ("importance", ["term", "importance", "std"]),
    "gam.csv": ("gam", ["term", "edof", "p_value"]),
    "importance_methods.csv": ("methods", None),  # None: every column the analysis gives
}
PARETO = "pareto.csv"
PAGE = "report.html"
# glob patterns of every file `write_report` may leave in a folder (a second objective's
# tables are prefixed `objective2_`), for a sweep that starts over to move them aside
REPORT_FILES = (PAGE, PARETO, *figure_files(), *TABLES, *(f"objective*_{n}" for n in TABLES))


@dataclass(frozen=True)
class Saved:
    """A figure written as PNG, with its bytes (which the HTML embeds)."""

    figure: Figure
    png: bytes


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """A DataFrame as CSV with full precision, written atomically."""
    write_atomic(path, frame.to_csv(index=False, float_format="%.17g", lineterminator="\n"))


def png_bytes(plot, width: float, height: float) -> bytes:
    """A plot rendered as PNG in memory."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plot.save(
            buffer,
            format="png",
            width=width,
            height=height,
            dpi=DPI,
            verbose=False,
            limitsize=False,
        )
    return buffer.getvalue()


def save_figures(analysis, folder: Path) -> list[Saved]:
    """Draw every figure of the registry and write each PNG atomically."""
    saved = []
    for figure in draw_all(analysis):
        png = png_bytes(figure.plot, figure.width, figure.height)
        write_atomic(folder / figure.file, png)
        saved.append(Saved(figure, png))
    return saved


def write_report(analysis, folder: str | Path, retrained=None) -> list[Path]:
    """Write the CSV tables (each objective's, and the Pareto front's), every PNG and
    `report.html` into `folder`; return the paths.

    `retrained` (optional) lists retrained configurations shown next to the best run.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserInputError(f"cannot create the output folder {str(folder)!r}: {error}") from None
    try:
        return _write_all(analysis, folder, retrained)
    except OSError as error:  # an existing folder we may not write into, a full disk
        reason = error.strerror or str(error)
        message = f"cannot write into the output folder {str(folder)!r}: {reason}"
        raise UserInputError(message) from None


def _write_all(analysis, folder: Path, retrained) -> list[Path]:
    """Every table, figure and the page, each file written atomically."""
    from h2osweep.report.html import render

    written = []
    for number, each in enumerate(analysis.analyses, start=1):
        prefix = "" if number == 1 else f"objective{number}_"
        for name, (attribute, columns) in TABLES.items():
            frame = getattr(each, attribute)
            write_csv(folder / f"{prefix}{name}", frame if columns is None else frame[columns])
            written.append(folder / f"{prefix}{name}")
    if not analysis.pareto.empty:
        write_csv(folder / PARETO, analysis.pareto)
        written.append(folder / PARETO)
    saved = save_figures(analysis, folder)
    written += [folder / item.figure.file for item in saved]
    write_atomic(folder / PAGE, render(analysis, saved, retrained))
    written.append(folder / PAGE)
    return written
