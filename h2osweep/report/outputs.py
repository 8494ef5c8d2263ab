"""Write an `Analysis` to a folder: the CSV tables, the PNGs and `report.html`, each atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.store.files import write_atomic

TABLES = {
    "correlations.csv": ("correlations", ["term", "correlation"]),
    "ols.csv": ("ols", ["term", "coef", "std_err", "t", "p_value"]),
    "importance.csv": ("importance", ["term", "importance", "std"]),
    "gam.csv": ("gam", ["term", "edof", "p_value"]),
}


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """A DataFrame as CSV with full precision, written atomically."""
    write_atomic(path, frame.to_csv(index=False, float_format="%.17g", lineterminator="\n"))


def write_report(analysis, folder: str | Path, retrained=None) -> list[Path]:
    """Write the four CSV tables, every PNG and `report.html` into `folder`; return the paths.

    `retrained` (optional) lists retrained configurations shown next to the best run.
    """
    from h2osweep.report.html import render
    from h2osweep.report.plots import save_all

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserInputError(f"cannot create the output folder {str(folder)!r}: {error}") from None
    written = []
    for name, (attribute, columns) in TABLES.items():
        write_csv(folder / name, getattr(analysis, attribute)[columns])
        written.append(folder / name)
    figures = save_all(analysis, folder)
    written += [folder / f.file for f in figures]
    write_atomic(folder / "report.html", render(analysis, figures, folder, retrained))
    written.append(folder / "report.html")
    return written
