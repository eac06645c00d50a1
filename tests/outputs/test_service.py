"""The output path through the ordinary services, on SQLite and PostgreSQL: an output made in
the workspace and kept with its check record, a request with its differencing and scope
checks, two independent output checkers (never the requester, never the project's team), the
release gate, and the released zone as the only place outputs leave to."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from hashlib import sha256

import pytest

from fivesafes import accounts, audit
from fivesafes.errors import FivesafesError, InvalidTransition, PermissionDenied
from fivesafes.outputs import acro
from fivesafes.outputs import rules as r
from fivesafes.outputs.data import OutputError
from fivesafes.outputs.service import (
    export_results,
    list_outputs,
    list_requests,
    make_output,
    release_gate,
    released,
    request_release,
    review_request,
    show_request,
    thresholds_of,
)
from fivesafes.workspace.service import open_workspace
from tests.outputs.conftest import Project

JUSTIFY = "The table answers the project's first research question for the final report."
PURPOSE = "Research question 1: what happens after a first hearing"
SAFE = {"groups": ["hearing_date_year"]}
DISCLOSIVE = {"groups": ["outcome", "age_at_hearing_band"]}


def _make(project: Project, spec: dict, name: str, **kw) -> str:
    with open_workspace(project.walk.home, by=project.lead, project=project.project) as ws:
        return make_output(ws, kw.pop("kind", "frequency"), table=kw.pop("table", "magistrates"),
                           name=name, spec=spec, **kw).reference


def _request(project: Project, *outputs: str, **kw) -> str:
    return request_release(project.walk.home, by=project.lead, project=project.project,
                           outputs=list(outputs), justification=JUSTIFY, purpose=PURPOSE, **kw)


def _actions(project: Project, prefix: str) -> list[str]:
    with project.walk.home.store.reading() as session:
        return [e.action for e in audit.query(session) if e.action.startswith(prefix)]


def test_a_safe_table_is_released_by_two_checkers_into_the_released_zone(
        project: Project, checkers: tuple[str, ...]) -> None:
    home = project.walk.home
    output = _make(project, SAFE, "Hearings by year")
    [view] = [o for o in list_outputs(home, by=project.lead, project=project.project)
              if o.reference == output]
    assert view.status == "draft" and view.check_status == "pass"
    request = _request(project, output)
    assert review_request(home, by=checkers[0], reference=request, decision="approve") \
        == "pending"
    assert review_request(home, by=checkers[1], reference=request, decision="approve",
                          comments="Counts of at least 10 persons throughout.") == "released"
    [shown] = [x for x in released(home, by=checkers[2]) if x.request == request]
    manifest = json.loads((shown.folder / "manifest.json").read_text())
    assert manifest["checkers"] == list(checkers[:2])
    [file] = manifest["files"]
    data = (shown.folder / file["file"]).read_bytes()
    assert sha256(data).hexdigest() == file["sha256"]
    text = data.decode()
    assert "person_id" not in text and not any(p in text for p in _pseudonyms(project))
    counts = [int(line.split(",")[1]) for line in text.splitlines()[1:]]
    assert counts and min(counts) >= 10
    view = show_request(home, by=checkers[2], reference=request)
    assert view.status == "released" and {o.status for o in view.outputs} == {"released"}
    assert _actions(project, "output.") [-4:] == [
        "output.requested", "output.reviewed", "output.reviewed", "output.released"]


def _pseudonyms(project: Project) -> list[str]:
    with open_workspace(project.walk.home, by=project.lead, project=project.project) as ws:
        return [v for v in ws.query("SELECT DISTINCT person_id FROM magistrates LIMIT 20")
                ["person_id"]]


def test_a_disclosive_table_is_suppressed_verified_and_returned_with_findings(
        project: Project, checkers: tuple[str, ...]) -> None:
    home = project.walk.home
    output = _make(project, {"groups": ["outcome"]}, "Outcomes")
    request = _request(project, output)
    view = show_request(home, by=checkers[0], reference=request)
    [shown] = view.outputs
    assert shown.check_status == "review"
    record = shown.record
    assert record.suppressed and record.intervals
    assert all(i["low"] <= i["value"] <= i["high"] for i in record.intervals)
    assert any(f.rule == r.THRESHOLD for f in record.findings)
    hidden = {c["cell"]["outcome"] for c in record.suppressed}
    assert all(c["n"] is None for c in shown.cells if c["outcome"] in hidden)
    review_request(home, by=checkers[0], reference=request, decision="return",
                   comments="Merge the small outcome groups before asking again.")
    assert review_request(home, by=checkers[1], reference=request,
                          decision="approve") == "returned"
    [again] = [o for o in list_outputs(home, by=project.lead, project=project.project)
               if o.reference == output]
    assert again.status == "returned"
    assert not [x for x in released(home, by=checkers[2]) if x.request == request]
    _request(project, output)  # a returned output may be asked for again


def test_checkers_are_two_different_people_off_the_team_and_not_the_requester(
        project: Project, checkers: tuple[str, ...]) -> None:
    home = project.walk.home
    request = _request(project, _make(project, SAFE, "By year"))
    with pytest.raises(PermissionDenied, match="output_checker"):
        review_request(home, by=project.lead, reference=request, decision="approve")
    accounts.grant_role(home, by="admin", username=project.team[1], role="output_checker")
    with pytest.raises(PermissionDenied, match="on the team"):
        review_request(home, by=project.team[1], reference=request, decision="approve")
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        review_request(home, by=checkers[0], reference=request, decision="approve",
                       conflict="I supervise the lead's doctoral student")
    review_request(home, by=checkers[0], reference=request, decision="approve")
    with pytest.raises(InvalidTransition, match="already reviewed"):
        review_request(home, by=checkers[0], reference=request, decision="approve")
    with pytest.raises(FivesafesError, match="--comments"):
        review_request(home, by=checkers[1], reference=request, decision="reject")
    with home.store.reading() as session:
        refused = [json.loads(e.details)["refused"] for e in audit.query(session)
                   if e.action == "security.refused"]
    assert any("on the team" in m for m in refused)
    assert any("conflict of interest" in m for m in refused)
    [review] = show_request(home, by=checkers[1], reference=request).reviews
    assert review.conflicts == {"requester": False, "project_team": False, "declared": ""}


def test_the_requester_holding_the_checker_role_cannot_check_their_own_request(
        project: Project) -> None:
    home = project.walk.home
    accounts.grant_role(home, by="admin", username=project.lead, role="output_checker")
    request = _request(project, _make(project, SAFE, "By year"))
    with pytest.raises(PermissionDenied, match="asked for"):
        review_request(home, by=project.lead, reference=request, decision="approve")


def test_a_rejected_request_releases_nothing(project: Project,
                                             checkers: tuple[str, ...]) -> None:
    home = project.walk.home
    request = _request(project, _make(project, SAFE, "By year"))
    review_request(home, by=checkers[0], reference=request, decision="approve")
    assert review_request(home, by=checkers[1], reference=request, decision="reject",
                          comments="Outside the approved purpose.") == "rejected"
    with pytest.raises(InvalidTransition, match="rejected"):
        review_request(home, by=checkers[2], reference=request, decision="approve")
    assert not [x for x in released(home, by=checkers[2]) if x.request == request]


def test_a_failing_output_needs_an_exception_to_be_asked_for(project: Project) -> None:
    output = _make(project, DISCLOSIVE, "Outcome by age")
    [view] = [o for o in list_outputs(project.walk.home, by=project.lead,
                                      project=project.project) if o.reference == output]
    assert view.check_status == "fail"
    with pytest.raises(FivesafesError, match="--exception"):
        _request(project, output)
    request = _request(project, output, exception="The checkers may judge the small groups.")
    assert show_request(project.walk.home, by=project.lead, reference=request).exception


def test_differencing_against_an_earlier_request_names_both_outputs(project: Project) -> None:
    everyone = _make(project, SAFE, "All hearings by year")
    _request(project, everyone)
    fewer = _make(project, SAFE, "Hearings of under-50s by year",
                  population={"age_at_hearing_band": ["18-20", "21-24", "25-29", "30-39",
                                                      "40-49"]})
    [view] = [o for o in list_outputs(project.walk.home, by=project.lead,
                                      project=project.project) if o.reference == fewer]
    found = [f for f in view.record.findings if f.rule == r.DIFFERENCING]
    assert found and set(found[0].outputs) == {everyone, fewer}
    assert view.check_status == "fail"


def test_an_output_may_not_group_by_a_pseudonym(project: Project) -> None:
    with pytest.raises(OutputError, match="pseudonym"):
        _make(project, {"groups": ["person_id"]}, "Per person")


def test_a_derived_field_is_a_scope_finding(project: Project) -> None:
    home = project.walk.home
    with open_workspace(home, by=project.lead, project=project.project) as ws:
        ws.run("CREATE TABLE scratch.young AS SELECT person_id, age_at_hearing_band IN "
               "('18-20', '21-24') AS young FROM magistrates")
        view = make_output(ws, "frequency", table="scratch.young", name="Young adults",
                           spec={"groups": ["young"]})
    assert [f.figures["field"] for f in view.record.findings if f.rule == r.SCOPE] == ["young"]
    request = _request(project, view.reference)
    assert [f["rule"] for f in show_request(home, by=project.lead, reference=request).findings
            if f["rule"] == r.SCOPE] == [r.SCOPE]


def test_outputs_are_the_team_s_own(project: Project, checkers: tuple[str, ...]) -> None:
    home = project.walk.home
    _make(project, SAFE, "By year")
    outsider = project.walk.researcher(f"out.{project.application.lower()}")
    with pytest.raises(PermissionDenied):
        list_outputs(home, by=outsider, project=project.project)
    with pytest.raises(PermissionDenied, match="every release request"):
        list_requests(home, by=outsider)
    assert list_requests(home, by=checkers[0]) is not None


def test_outputs_stop_when_the_window_closes(project: Project) -> None:
    home = project.walk.home
    with open_workspace(home, by=project.lead, project=project.project) as ws:
        project.walk.clock.now = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
        with pytest.raises(PermissionDenied, match="outside the access window"):
            make_output(ws, "frequency", table="magistrates", name="late", spec=SAFE)


def test_the_release_gate_refuses_a_small_count_and_a_pseudonym(project: Project) -> None:
    from fivesafes.outputs.records import ProjectOutput

    th = thresholds_of(project.walk.home)
    row = ProjectOutput(id=7, kind="frequency", fields=["outcome"], spec={"groups": ["outcome"]},
                        body={"cells": [{"outcome": "fine", "n": 3}], "margins": [],
                              "csv": "outcome,n\nfine,3\n"})
    assert release_gate(row, {"person_id"}, th) == [
        "O-0007: the cell outcome=fine has 3 persons, below 10"]
    row.fields, row.body["csv"] = ["person_id"], "person_id,n\n"
    assert any("pseudonym" in p for p in release_gate(row, {"person_id"}, th))


def test_a_request_exports_as_an_acro_results_file(project: Project, checkers: tuple[str, ...],
                                                  tmp_path) -> None:
    home = project.walk.home
    request = _request(project, _make(project, {"groups": ["outcome"]}, "Outcomes"))
    review_request(home, by=checkers[0], reference=request, decision="return",
                   comments="Merge the small outcome groups.")
    path = export_results(home, by=checkers[1], reference=request, out=tmp_path / "sacro")
    [entry] = acro.read_results(path)
    assert entry.status == "review" and entry.record.suppressed
    assert any("Merge the small outcome groups" in c for c in entry.comments)
    assert entry.files[0].exists()


def test_a_release_whose_transaction_fails_leaves_no_file_in_the_released_zone(
        project: Project, checkers: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    from fivesafes.outputs import service

    home = project.walk.home
    request = _request(project, _make(project, SAFE, "By year"))
    review_request(home, by=checkers[0], reference=request, decision="approve")
    real = service._release

    def released_then_the_commit_fails(*args, **kwargs):
        real(*args, **kwargs)  # the files are in place; now the transaction fails
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "_release", released_then_the_commit_fails)
    with pytest.raises(RuntimeError):
        review_request(home, by=checkers[1], reference=request, decision="approve")
    folder = home.released / project.project / request
    assert not folder.exists()
    assert show_request(home, by=checkers[2], reference=request).status == "pending"
    # a stray folder (a killed release) is swept before the next review
    stray = home.released / project.project / "R-9999"
    stray.mkdir(parents=True)
    (stray / "leftover.csv").write_text("n\n3\n")
    monkeypatch.setattr(service, "_release", real)
    assert review_request(home, by=checkers[1], reference=request,
                          decision="approve") == "released"
    assert folder.is_dir() and not stray.exists()


COUNT_COLUMNS = {"n", "persons", "at_risk", "events", "censored", "count", "n_persons"}


@pytest.mark.parametrize(("kind", "spec"), [
    ("frequency", {"groups": ["outcome", "age_at_hearing_band"]}),
    ("magnitude", {"groups": ["outcome"], "value": "hearing_date_year", "statistic": "mean"}),
    ("histogram", {"value": "hearing_date_year", "bins": [2017, 2019, 2021, 2023, 2026]}),
    ("regression", {"outcome": "hearing_date_year", "predictors": ["outcome"]}),
])
def test_a_released_file_of_any_kind_holds_no_pseudonym_and_no_small_count(
        project: Project, checkers: tuple[str, ...], kind: str, spec: dict) -> None:
    home = project.walk.home
    th = thresholds_of(home)
    with open_workspace(home, by=project.lead, project=project.project) as ws:
        every = {str(v) for v in ws.query("SELECT DISTINCT person_id FROM magistrates")
                 ["person_id"]}
    output = _make(project, spec, f"A {kind}", kind=kind)
    request = _request(project, output, exception="The checkers may judge the withheld cells.")
    review_request(home, by=checkers[0], reference=request, decision="approve")
    try:
        review_request(home, by=checkers[1], reference=request, decision="approve")
    except FivesafesError as stopped:
        assert "release gate" in str(stopped)
        assert not (home.released / project.project / request).exists()
        return
    [shown] = [x for x in released(home, by=checkers[2]) if x.request == request]
    for file in shown.files:
        text = (shown.folder / file["file"]).read_text()
        assert not any(p in text for p in every), file["file"]
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            for column, value in row.items():
                if column in COUNT_COLUMNS and value not in ("", None):
                    assert not 0 < float(value) < th.min_cell, (file["file"], row)
