"""Drawing and writing an analysis: plotnine PNGs, CSV tables and one self-contained HTML report."""

from h2osweep.report.outputs import write_report

__all__ = ["write_report"]
