"""The store: one folder per sweep, holding every finished run durably (SQLite + results.csv)."""

from h2osweep.store.results_store import ResultsStore, open_store

__all__ = ["ResultsStore", "open_store"]
