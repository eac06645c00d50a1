"""Writing an application in the browser, in two steps: choose the project and the datasets,
then, dataset by dataset from the catalogue with its data dictionary, the fields (each at a
granularity level, each with its justification), the coverage, the access window, the legal
basis and the references. The form is the governance application form; every problem is shown
at once, next to a plain name of the field it is about, with what was typed kept."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import HTMLResponse, RedirectResponse, Response

from fivesafes.accounts import Role
from fivesafes.catalogue.refs import Catalogue, DatasetRef
from fivesafes.errors import InvalidForm, Problem
from fivesafes.governance.application_form import (
    ART6_BASES,
    ART9_CONDITIONS,
    ART10_CONDITIONS,
    GATEWAYS,
    MIN_JUSTIFICATION,
    MIN_STRONG_JUSTIFICATION,
    MIN_WHY_NOT_COARSER,
    needs_strong_justification,
)
from fivesafes.governance.applications import create_application
from fivesafes.governance.catalogue import catalogue_for
from fivesafes.governance.projects import projects_of
from fivesafes.web.rendering import render
from fivesafes.web.routing import Context, roles, route

CHOICES = {"gateway": GATEWAYS, "art6": ART6_BASES, "art9": ART9_CONDITIONS,
           "art10": ART10_CONDITIONS}


def _latest(catalogue: Catalogue, name: str) -> DatasetRef | None:
    versions = catalogue.versions(name)
    return catalogue.dataset(name, versions[-1]) if versions else None


def _chosen(catalogue: Catalogue, names: list[str]) -> list[DatasetRef]:
    found = [_latest(catalogue, n) for n in dict.fromkeys(names)]
    return [d for d in found if d is not None]


@route("GET", "/applications/new", rule=roles(Role.RESEARCHER), name="application-new")
def new_application(ctx: Context) -> str:
    """Step 1 (project and datasets), or step 2 (the form for the datasets chosen)."""
    catalogue = catalogue_for(ctx.deployment, ctx.published)
    projects = projects_of(ctx.deployment, by=ctx.by)
    query = ctx.request.query_params
    chosen = _chosen(catalogue, query.getlist("dataset"))
    project = query.get("project", "")
    if not chosen or project not in {p.reference for p in projects}:
        available = [d for d in (_latest(catalogue, n) for n in catalogue.names()) if d]
        return render(ctx.request, "apply_start.html", me=ctx.me, title="New application",
                      projects=projects, datasets=available, project=project,
                      chosen={d.name for d in chosen})
    return _form_page(ctx, project, chosen, values={}, problems=[])


def _form_page(ctx: Context, project: str, chosen: list[DatasetRef], *,
               values: dict[str, str], problems: list[tuple[str, str]],
               status: int = 200) -> Any:
    jurisdictions = sorted({j for d in chosen for j in d.jurisdictions})
    sources = sorted({s for d in chosen for s in d.sources})
    page = render(ctx.request, "apply_form.html", me=ctx.me, title="New application",
                  project=project, datasets=chosen, values=values, problems=problems,
                  jurisdictions=jurisdictions, sources=sources, choices=CHOICES,
                  strong=needs_strong_justification, minimum=MIN_JUSTIFICATION,
                  strong_minimum=MIN_STRONG_JUSTIFICATION, coarser_minimum=MIN_WHY_NOT_COARSER)
    return HTMLResponse(page, status_code=status) if status != 200 else page


def _form(ctx: Context, chosen: list[DatasetRef]) -> tuple[dict[str, Any], dict[str, str]]:
    """The application form from the posted fields, and a plain label for each form path."""
    labels: dict[str, str] = {}
    datasets = []
    for d in chosen:
        fields = []
        for name in d.fields:
            if not ctx.field(f"want:{d.name}:{name}"):
                continue
            base = f"datasets[{len(datasets)}].fields[{len(fields)}]"
            labels[base] = f"{d.name}.{name}"
            fields.append({"name": name, "level": ctx.field(f"level:{d.name}:{name}"),
                           "justification": ctx.field(f"why:{d.name}:{name}"),
                           "why_not_coarser": ctx.field(f"coarser:{d.name}:{name}")})
        labels[f"datasets[{len(datasets)}]"] = d.name
        datasets.append({"name": d.name, "version": d.version, "fields": fields})
    form = ctx.form
    assert form is not None
    basis = {k: ctx.field(k) or None for k in CHOICES}
    return {
        "project": ctx.field("project"),
        "datasets": datasets,
        "coverage": {"from": ctx.field("coverage_from"), "to": ctx.field("coverage_to"),
                     "jurisdictions": [v for v in form.getlist("jurisdictions") if v],
                     "sources": [v for v in form.getlist("sources") if v]},
        "access": {"start": ctx.field("access_start"), "end": ctx.field("access_end")},
        "legal_basis": basis,
        "ethics_reference": ctx.field("ethics_reference"),
        "dpia_reference": ctx.field("dpia_reference"),
    }, labels


def _plain(problem: Problem, labels: dict[str, str]) -> tuple[str, str]:
    """``datasets[0].fields[1].justification`` -> ``magistrates.sex, justification``."""
    path = problem.path
    for prefix in sorted(labels, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "."):
            rest = path[len(prefix) + 1:]
            return (labels[prefix] + (f", {rest.replace('_', ' ')}" if rest else ""),
                    problem.message)
    return re.sub(r"[._]", " ", path), problem.message


@route("POST", "/applications/new", rule=roles(Role.RESEARCHER), name="application-create")
def create(ctx: Context) -> Response:
    """Create the draft application, or show the form again with every problem."""
    catalogue = catalogue_for(ctx.deployment, ctx.published)
    assert ctx.form is not None
    chosen = _chosen(catalogue, ctx.form.getlist("dataset"))
    form, labels = _form(ctx, chosen)
    try:
        reference = create_application(ctx.deployment, by=ctx.by, form=form,
                                       published=ctx.published)
    except InvalidForm as invalid:
        values = {k: v for k, v in ctx.form.items() if isinstance(v, str)}
        values["jurisdictions"] = ",".join(ctx.form.getlist("jurisdictions"))
        values["sources"] = ",".join(ctx.form.getlist("sources"))
        return _form_page(ctx, form["project"], chosen, values=values, status=400,
                          problems=[_plain(p, labels) for p in invalid.problems])
    return RedirectResponse(f"/applications/{reference}?done=draft+created", status_code=303)
