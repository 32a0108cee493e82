"""Claims of the appendix page on running the experiments (book/appendix/running.md), against the records."""

import json

from lstm_edu import reproduction


def wall_hours(name):
    return reproduction.row_summary(name)["ours"]["wall_seconds"] / 3600


def test_wall_time_is_the_chunks_slowest_trial_summed():
    """'Per chunk of trials trained together, the time until its last trial ended, summed over the chunks.'"""
    files = sorted((reproduction.RESULTS_DIR / "lstm1997" / "6a").glob("trial-*.json"))
    runs = [json.loads(f.read_text()) for f in files]
    chunks = {}
    for r in runs:
        key = r["seed"] // r["run"]["batch"]
        chunks[key] = max(chunks.get(key, 0.0), r["run"]["seconds"])
    assert abs(wall_hours("6a") * 3600 - sum(chunks.values())) < 1e-9


def test_the_length_of_the_sequences_weighs_most():
    """'Row 3a-T100-N3 took [3] minutes, the same task with sequences of about 1000 steps [18] minutes'."""
    assert wall_hours("3a-T100-N3") < 1 / 6
    assert wall_hours("3a-T1000-N3") > 4 * wall_hours("3a-T100-N3")
