"""Workflows on top of sweeps and analyses: retraining a chosen configuration (the lecture's
step 8) and the whole course in one call (`demo`)."""
