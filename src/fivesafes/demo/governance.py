"""The governance part of ``make demo``: a researcher applies for a few fields, assesses the
disclosure risk of the draft and takes a suggestion, submits; the routed panels approve, the project is accredited and provisioned with its extract, and the public register lists it.

Every account gets a random password that is used once and never printed or stored in clear.
The application asks for fields of the datasets ``fivesafes publish`` put in the home's
research-ready catalogue (the synthetic extracts of ``fivesafes synth``), so publish comes first.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from fivesafes import accounts
from fivesafes.accounts.panels import routing_for
from fivesafes.errors import FivesafesError
from fivesafes.extracts.service import extract_manifest, provision_with_extract
from fivesafes.extracts.views import manifest_lines
from fivesafes.governance import (
    agreements,
    applications,
    people,
    projects,
    register,
    reviews,
    views,
)
from fivesafes.governance.application_form import MIN_STRONG_JUSTIFICATION
from fivesafes.governance.catalogue import catalogue_for
from fivesafes.home import Deployment, local_operator

ADMIN = "demo.admin"
LEAD, COLLEAGUE, LINKAGE = "r.khan", "j.osei", "l.officer"

WANTED = {  # dataset: [(field, level, why it is needed)], as the synthetic datasets publish them
    "magistrates": [
        ("offence_code", "offence_group", "Offence groups let us compare pathways for "
                                          "violent, acquisitive and motoring offences"),
        ("age_at_hearing", "age_at_hearing", "Age lets us separate young adults from others"),
        ("outcome", "outcome", "The outcome shows which cases end in custody"),
    ],
    "prison": [
        ("ETHNICITY", "ETHNICITY", "Ethnic groups let us test for disparities in custodial "
                                   "outcomes, a question of public concern"),
    ],
}


def _password() -> str:
    return secrets.token_urlsafe(24)  # used once, never shown


def _justify(reason: str) -> str:
    text = (f"{reason}. The research questions compare groups of cases, and this field is "
            "what defines those groups in the linked data.")
    return text if len(text) >= MIN_STRONG_JUSTIFICATION else text + " " + "It is essential."


def _asked(form: dict[str, Any]) -> str:
    return "; ".join(f"{ds['name']} {ds['version']}: " + ", ".join(
        f"{f['name']} as {f['level']}" for f in ds["fields"]) for ds in form["datasets"])


def _take_a_suggestion(d: Deployment, reference: str, form: dict[str, Any]) -> list[str]:
    """The applicant assesses the draft's disclosure risk and, if it does not meet the
    threshold, takes the first suggestion and assesses again."""
    first = applications.assess_risk(d, by=LEAD, reference=reference)
    lines = ["risk assessment of the draft:", *(f"  {line}" for line in first.lines())]
    if first.meets_threshold or not first.suggestions:
        return lines
    taken = first.suggestions[0]
    for change in taken.changes:
        dataset = next(ds for ds in form["datasets"] if ds["name"] == change.dataset)
        if change.to_level is None:
            dataset["fields"] = [f for f in dataset["fields"] if f["name"] != change.name]
        else:
            for f in dataset["fields"]:
                if f["name"] == change.name:
                    f["level"] = change.to_level
    applications.update_application(d, by=LEAD, reference=reference, form=form)
    again = applications.assess_risk(d, by=LEAD, reference=reference)
    lines.append(f"suggestion taken: {taken.text}; {reference} now asks for {_asked(form)}")
    lines += ["risk assessment after the change:", *(f"  {line}" for line in again.lines())]
    return lines


def run_demo(deployment: Deployment) -> list[str]:
    """Walk an application through governance on a fresh home; the lines say what happened."""
    d, lines = deployment, []
    today = d.clock().date()
    routing, catalogue = routing_for(d), catalogue_for(d)
    missing = [n for n in WANTED if not catalogue.versions(n)]
    if missing:
        raise FivesafesError(f"the catalogue has no dataset {', '.join(missing)}: publish the "
                             "synthetic extracts first (fivesafes synth, ingest, link, publish)")
    refs = {n: catalogue.dataset(n, catalogue.versions(n)[-1]) for n in WANTED}
    with d.store.reading() as session:  # `make demo` may have bootstrapped some already
        existing = {u for u in (ADMIN, LINKAGE) if accounts.find_account(session, u)}
    if ADMIN not in existing:
        accounts.create_first_administrator(d, by=local_operator(), username=ADMIN,
                                            full_name="Demo Administrator",
                                            email="admin@fivesafes.example",
                                            password=_password())
    lines.append(f"administrator {ADMIN} (passwords are generated and never shown)")

    def account(username: str, name: str, *roles: tuple[str, str]) -> None:
        if username in existing:
            return
        accounts.create_account(d, by=ADMIN, username=username, full_name=name,
                                email=f"{username}@fivesafes.example", password=_password(),
                                organisation="University of Example", roles=roles)

    account(LEAD, "Dr Rana Khan", ("researcher", ""))
    account(COLLEAGUE, "Dr Jo Osei", ("researcher", ""))
    account(LINKAGE, "Lee Officer", ("linkage_officer", ""))
    owners = {ref.owner for ref in refs.values()}
    route = routing.route(owners)
    members = {panel: f"panel.{panel}" for panel in (*route, routing.accreditation_panel)}
    for panel, username in members.items():
        account(username, f"{routing.panel(panel).name} member", ("panel_member", panel))
    lines.append(f"accounts: researchers {LEAD}, {COLLEAGUE}; linkage officer {LINKAGE}; "
                 f"panel members {', '.join(members.values())}")

    for username in (LEAD, COLLEAGUE):
        people.record_accreditation(d, by=ADMIN, username=username, number=f"DEA-{username}",
                                    body="UK Statistics Authority",
                                    granted_on=today - timedelta(days=100),
                                    expires_on=today + timedelta(days=3 * 365))
        people.record_training(d, by=ADMIN, username=username,
                               course="Safe Researcher Training",
                               passed_on=today - timedelta(days=30),
                               expires_on=today + timedelta(days=3 * 365))
    lines.append(f"safe people: {LEAD} and {COLLEAGUE} accredited and trained")

    project = projects.create_project(d, by=LEAD, form={
        "title": "Pathways from magistrates' courts into prison",
        "lay_summary": "How often do cases that start in magistrates' courts lead to prison, "
                       "and does this differ between groups of people?",
        "public_benefit": "Evidence on consistency in sentencing for policy makers and the "
                          "public.",
        "research_questions": ["Which offence groups most often lead to custody?",
                               "Do custodial outcomes differ by age or ethnic group?"],
        "lead": LEAD, "organisation": "University of Example", "funder": "ESRC",
        "start": today, "end": today + timedelta(days=2 * 365),
        "team": [COLLEAGUE],
    })
    lines.append(f"project {project} created, led by {LEAD}, team {COLLEAGUE}")

    datasets = []
    for name, fields in WANTED.items():
        version = refs[name].version
        datasets.append({"name": name, "version": version, "fields": [
            {"name": f, "level": level, "justification": _justify(why),
             "why_not_coarser": "A coarser level would merge the groups the research "
                                "questions compare, so they could not be answered."}
            for f, level, why in fields]})
    form = {
        "project": project, "datasets": datasets,
        "coverage": {"from": today.replace(year=today.year - 8, month=1, day=1),
                     "to": today.replace(year=today.year - 1, month=12, day=31),
                     "jurisdictions": sorted({j for r in refs.values() for j in r.jurisdictions}),
                     "sources": [refs["magistrates"].sources[0], refs["prison"].sources[0]]},
        "access": {"start": today, "end": today + timedelta(days=365)},
        "legal_basis": {"gateway": "dea2017_research", "art6": "public_task",
                        "art9": "research", "art10": "research"},
        "ethics_reference": "ETH-DEMO-001", "dpia_reference": "DPIA-DEMO-001",
    }
    reference = applications.create_application(d, by=LEAD, form=form)
    lines.append(f"application {reference} asks for {_asked(form)}")

    lines += _take_a_suggestion(d, reference, form)
    applications.submit(d, by=LEAD, reference=reference)
    risk = views.application_view(d, by=ADMIN, reference=reference).risk
    assert risk is not None, "submission assesses the application"
    lines.append(f"submitted; the panels will see: {risk.assessment.lines()[0]}")
    full_route = applications.start_review(d, by=ADMIN, reference=reference)
    lines.append("routed to " + " -> ".join(routing.panel(p).name for p in full_route))
    for panel in route:
        conditions = ["Outputs are checked by two output checkers before release."] if (
            panel == route[-1]) else []
        state = reviews.approve(d, by=members[panel], reference=reference,
                                reasons="The fields asked for are justified.",
                                conditions=conditions)
        lines.append(f"  {routing.panel(panel).name}: approved by {members[panel]}"
                     + (f" with condition '{conditions[0]}'" if conditions else "")
                     + f" -> {state}")
    rap = routing.accreditation_panel
    reviews.accredit(d, by=members[rap], reference=reference, rap_reference="RAP-DEMO-001",
                     expires_on=today + timedelta(days=2 * 365))
    lines.append(f"  {routing.panel(rap).name}: project accredited as RAP-DEMO-001")

    agreement = agreements.record_agreement(d, by=ADMIN, form={
        "reference": "DSA-DEMO-001", "kind": "dsa", "title": "Data First research sharing",
        "parties": ["Ministry of Justice", "University of Example",
                    "Office for National Statistics"],
        "datasets": list(WANTED), "permitted_uses": [f"project {project} only"],
        "legal_basis": "Digital Economy Act 2017, Part 5 Chapter 5",
        "protections": ["secure workspace", "output checking"],
        "starts": today, "ends": today + timedelta(days=2 * 365),
        "review": today + timedelta(days=365),
    })
    agreements.link_agreement(d, by=ADMIN, agreement=agreement, application=reference)
    built, team = provision_with_extract(d, by=LINKAGE, reference=reference)
    lines.append(f"agreement {agreement} recorded; {reference} provisioned for "
                 f"{', '.join(team)}, with its extract (build {built.build}: "
                 f"{built.rows:,} rows, {built.persons:,} persons)")
    lines += manifest_lines(extract_manifest(d, by=LINKAGE, reference=reference))

    public = register.public_register(d)
    for entry in public.entries:
        lines.append(f"public register: {entry.project} '{entry.title}' ({entry.organisation}, "
                     f"lead {entry.lead}): {', '.join(entry.datasets)}")
    lines.append(f"public register: {register.withheld_note(public)}")
    return lines
