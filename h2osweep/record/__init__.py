"""The run record, owned in one place: what a run is and returns (`runs`), which value is better
(`goal`), and the results table's columns with the lecture's architecture summaries (`columns`).

Every layer may import it; it imports nothing of h2osweep but the errors and validation rules.
"""
