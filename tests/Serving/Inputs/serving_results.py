"""Reads zooc's JSON report for the tests that compare records' figures (host-time.test.py,
sequence-host.test.py): each table by record name, a figure's value, and whether one record's
figure exceeds another's by a given amount."""
import json


def tables(path):
    """The serving records' and the scenarios' results, each by record name."""
    doc = json.load(open(path))
    return ({x["name"]: x["results"] for x in doc["serving"]},
            {x["name"]: x["results"] for x in doc["scenarios"]})


def v(table, name, metric):
    r = table[name][metric]
    return r["value"] if isinstance(r, dict) else r


def grows(table, more, bare, metric, by):
    """Whether `metric` of record `more` exceeds that of `bare` by `by` (to 1e-9)."""
    return abs(v(table, more, metric) - v(table, bare, metric) - by) < 1e-9
