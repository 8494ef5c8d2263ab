"""Training: turn one configuration into an H2O deep-learning model and its metrics."""
