"""Regressions (linear and logistic, statsmodels) and time-to-event counts, with their checks.

* A regression's coefficient table may be released when its residual degrees of freedom are at
  least ``min_dof`` and at least ``min_cell`` persons contribute; a perfectly separated logistic
  fit (an outcome that a category predicts exactly) is class disclosure.
* Time-to-event counts: per period, the persons at risk at its start, the events and the
  censored in it (one time per person: their first event, else their last time seen), with a
  life-table survival estimate. Events and censorings of 1 to ``survival_min - 1`` persons, and
  periods with fewer than ``survival_min`` at risk, fail the threshold.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from fivesafes.errors import StepFailed
from fivesafes.outputs import rules as r
from fivesafes.outputs.data import Filter, Microdata, OutputError
from fivesafes.outputs.rules import CheckRecord, Severity, Thresholds, finding
from fivesafes.outputs.safe import Output
from fivesafes.outputs.tables import LEVEL, Table
from fivesafes.sql import Fragment, Params, Statement, compose, names, run


def _frame(data: Microdata, columns: Sequence[str], population: Filter | None) -> Any:
    data.need(list(columns))
    return run(data.con, frame_statement(data, columns, population)).df()


def frame_statement(data: Microdata, columns: Sequence[str], population: Filter | None
                    ) -> Statement:
    """The person and ``columns`` of every row of ``population``, for a model fit."""
    params = Params()
    where = Fragment(data.where(population, params))
    return Statement("outputs: rows for a model", compose(
        "SELECT {columns} FROM {view}{where}",
        columns=names(list(dict.fromkeys([data.person, *columns]))), view=data.view,
        where=where), params.values)


def times_statement(data: Microdata, time: str, event: str, population: Filter | None
                    ) -> Statement:
    """Each person's time (``t``: their first event, else their last time seen) and whether it
    is an event (``e``), for a time-to-event count."""
    params = Params()
    condition = Fragment(data.condition(population, params))
    return Statement("outputs: times to event", compose(
        "SELECT t, e FROM (SELECT {person}, bool_or({event}::BOOLEAN) AS e, "
        "CASE WHEN bool_or({event}::BOOLEAN) THEN min({time}) FILTER (WHERE {event}::BOOLEAN) "
        "ELSE max({time}) END AS t FROM {view} "
        "WHERE {condition} AND {time} IS NOT NULL GROUP BY {person})",
        person=data.person, event=event, time=time, view=data.view, condition=condition),
        params.values)


def regression(data: Microdata, outcome: str, predictors: Sequence[str], kind: str = "linear",
               name: str = "regression", population: Filter | None = None,
               th: Thresholds | None = None) -> Output:
    """Fit ``outcome ~ predictors`` (a string predictor is categorical); rows with a missing
    value in any of them are left out and said."""
    import pandas as pd
    import statsmodels.api as sm

    th = th or Thresholds()
    if kind not in ("linear", "logistic"):
        raise OutputError(f"{name}: a regression is linear or logistic, not {kind!r}")
    frame = _frame(data, [outcome, *predictors], population)
    rows = len(frame)
    frame = frame.dropna(subset=[outcome, *predictors])
    design = sm.add_constant(
        pd.get_dummies(frame[list(predictors)], drop_first=True, dtype=float),
        has_constant="add")
    record = CheckRecord(name, "regression", th)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = (sm.OLS(frame[outcome].astype(float), design) if kind == "linear"
                 else sm.Logit(frame[outcome].astype(float), design))
        try:
            fit = model.fit(disp=0) if kind == "logistic" else model.fit()
        except Exception as error:  # statsmodels: singular matrix, perfect separation
            raise OutputError(f"{name}: the model cannot be fitted ({error}); use fewer "
                              "predictors or merge categories") from error
    separated = any("separation" in str(w.message).lower() for w in caught)
    persons = int(frame[data.person].nunique())
    dof = float(fit.df_resid)
    if dof < th.min_dof:
        record.findings.append(finding(
            r.DOF, Severity.FAIL, {}, {"residual_dof": dof, "min_dof": th.min_dof},
            f"{name}: {dof:g} residual degrees of freedom, fewer than {th.min_dof}"))
    if persons < th.min_cell:
        record.findings.append(finding(
            r.THRESHOLD, Severity.FAIL, {}, {"n": persons, "min_cell": th.min_cell},
            f"{name}: {persons} persons contribute, fewer than {th.min_cell}"))
    if separated:
        record.findings.append(finding(
            r.CLASS, Severity.FAIL, {}, {"outcome": outcome},
            f"{name}: perfect separation: a predictor determines {outcome} exactly, which "
            "discloses it for everyone in that category"))
    if rows > len(frame):
        record.findings.append(finding(
            r.MISSING, Severity.INFO, {}, {"rows": rows - len(frame)},
            f"{rows - len(frame)} rows with a missing value were left out of the fit"))
    ci = np.asarray(fit.conf_int())
    terms = list(design.columns)
    cells = pa.table({
        "term": terms, "coefficient": np.asarray(fit.params, dtype=float),
        "std_error": np.asarray(fit.bse, dtype=float),
        "statistic": np.asarray(fit.tvalues, dtype=float),
        "p_value": np.asarray(fit.pvalues, dtype=float),
        "ci_low": ci[:, 0].astype(float), "ci_high": ci[:, 1].astype(float),
        LEVEL: pa.array([0] * len(terms), pa.int64())})
    record.notes.append(f"{kind} regression of {outcome} on {', '.join(predictors)}: "
                        f"{len(frame)} rows of {persons} persons, residual df {dof:g}")
    table = Table(name, "regression", ("term",), cells, cells.slice(0, 0), statistic=kind,
                  value=outcome, population=dict(population or {}))
    return Output(table, record, cells)


def survival(data: Microdata, time: str, event: str, periods: Sequence[float],
             name: str = "survival", population: Filter | None = None,
             th: Thresholds | None = None) -> Output:
    """Persons at risk, events and censored per period ``[edge_i, edge_i+1)``."""
    th = th or Thresholds()
    edges = sorted(float(e) for e in periods)
    if len(edges) < 2:
        raise OutputError(f"{name}: give at least two period edges")
    data.need([time, event])
    statement = times_statement(data, time, event, population)
    try:
        rows = run(data.con, statement).fetchall()
        times = np.array([float(x[0]) for x in rows])
    except (StepFailed, TypeError, ValueError):
        raise OutputError(f"{name}: the event field {event!r} must hold true/false or 1/0 and "
                          f"the time field {time!r} a number (e.g. days to the event); derive "
                          "them in a scratch table first") from None
    events = np.array([bool(x[1]) for x in rows])
    at_risk, died, censored, surv = [], [], [], []
    s = 1.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (times >= lo) & (times < hi)
        n = int((times >= lo).sum())
        d = int((inside & events).sum())
        c = int((inside & ~events).sum())
        s = s * (1 - d / n) if n else s
        at_risk.append(n)
        died.append(d)
        censored.append(c)
        surv.append(s)
    labels = [f"[{lo:g}, {hi:g})" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    cells = pa.table({"period": labels, "at_risk": at_risk, "events": died,
                      "censored": censored, "survival": surv,
                      LEVEL: pa.array([0] * len(labels), pa.int64())})
    record = CheckRecord(name, "survival", th)
    for label, n, d, c in zip(labels, at_risk, died, censored, strict=True):
        for what, count in (("at_risk", n), ("events", d), ("censored", c)):
            if 0 < count < th.survival_min:
                record.findings.append(finding(
                    r.THRESHOLD, Severity.FAIL, {"period": label, "count": what},
                    {"n": count, "min_cell": th.survival_min},
                    f"period {label}: {count} persons {what.replace('_', ' ')}, fewer than "
                    f"{th.survival_min}; widen the periods"))
    table = Table(name, "survival", ("period",), cells, cells.slice(0, 0),
                  population=dict(population or {}))
    return Output(table, record, cells)
