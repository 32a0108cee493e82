"""Synthetic trial records of schema 1 for the tests of the chapters' helpers and the summary."""

from lstm_edu.experiments import experiment, record_path
from lstm_edu.results import SCHEMA, validate, write_record


def write_trial(out, name: str, seed: int, fields: dict):
    """Write a record of LSTM entry ``name``, trial ``seed``, to the results folder ``out``: ``fields`` (the
    outcome the test needs: success, sequences, budget, test, ...) over the schema's other keys, filled
    from the registry (description fields) or empty (outcome fields the test does not name)."""
    exp = experiment(name)
    record = {"schema": SCHEMA, "study": exp.study, "experiment": name, "seed": seed,
              "method": "LSTM (1997), truncated gradient", "milestones": {}, "test": None, "curve": None,
              "weights": None, "configuration": {"name": exp.row}, "task": exp.params,
              "criteria": exp.criteria_record(), "paper": exp.paper, "note": exp.note,
              "code_version": "0.1.0+gabc", "run": {"seconds": 10.0, "batch": 64}, **fields}
    path = record_path(out, name, seed)
    return write_record(path, validate(record, path))
