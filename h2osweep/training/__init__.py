"""Training: turn one configuration into an H2O model of the sweep's algorithm and its metrics."""
