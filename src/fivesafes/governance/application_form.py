"""The application form, declared as data, and the checks that need the catalogue.

An application asks for dataset versions; within each, fields at a chosen granularity level, each
with its own justification. Special-category and criminal-offence fields, and any field asked
for at its most detailed level, need a stronger justification, and, where a coarser level exists,
an explanation of why it will not do. Every problem is reported at once, each with its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fivesafes.catalogue.refs import Catalogue, DatasetRef, FieldRef, Sensitivity
from fivesafes.errors import Problem
from fivesafes.governance.forms import Field, Form, Kind

MIN_JUSTIFICATION = 30  # characters, for every field
MIN_STRONG_JUSTIFICATION = 120  # special category, criminal offence, most detailed level
MIN_WHY_NOT_COARSER = 60  # why a coarser level will not do, where one exists

GATEWAYS: Mapping[str, str] = {
    "dea2017_research": "Digital Economy Act 2017, Part 5 Chapter 5 (disclosure for research)",
}
ART6_BASES: Mapping[str, str] = {
    "public_task": "UK GDPR Article 6(1)(e): a task in the public interest",
    "legitimate_interests": "UK GDPR Article 6(1)(f): legitimate interests",
    "legal_obligation": "UK GDPR Article 6(1)(c): a legal obligation",
    "consent": "UK GDPR Article 6(1)(a): consent",
}
ART9_CONDITIONS: Mapping[str, str] = {
    "research": "UK GDPR Article 9(2)(j) with DPA 2018 Schedule 1 Part 1 paragraph 4 "
                "(archiving, research and statistics)",
    "substantial_public_interest": "UK GDPR Article 9(2)(g) with a DPA 2018 Schedule 1 Part 2 "
                                   "condition",
    "explicit_consent": "UK GDPR Article 9(2)(a): explicit consent",
}
ART10_CONDITIONS: Mapping[str, str] = {
    "research": "UK GDPR Article 10 with DPA 2018 Schedule 1 Part 1 paragraph 4 (research)",
    "statutory_purposes": "UK GDPR Article 10 with DPA 2018 Schedule 1 Part 2 paragraph 6 "
                          "(statutory and government purposes)",
    "official_authority": "UK GDPR Article 10: under the control of official authority",
}

FIELD_REQUEST = Form((
    Field("name", help="the field's name in the catalogue"),
    Field("level", help="the granularity level wanted, e.g. offence_group"),
    Field("justification", max_length=4000, help="why the project needs this field"),
    Field("why_not_coarser", required=False, max_length=4000,
          help="why a coarser level will not do (needed for sensitive or most detailed fields)"),
))
DATASET_REQUEST = Form((
    Field("name", help="the dataset's name in the catalogue"),
    Field("version", help="the dataset version"),
    Field("fields", Kind.TABLES, form=FIELD_REQUEST, help="the fields wanted"),
))
APPLICATION_FORM = Form((
    Field("project", help="the project's reference, e.g. P-0001"),
    Field("datasets", Kind.TABLES, form=DATASET_REQUEST, help="the datasets wanted"),
    Field("coverage", Kind.SECTION, help="which records", form=Form((
        Field("from", Kind.DATE, help="first date of records wanted"),
        Field("to", Kind.DATE, help="last date of records wanted"),
        Field("jurisdictions", Kind.TEXTS, help="e.g. England, Wales"),
        Field("sources", Kind.TEXTS, help="source systems, e.g. Libra"),
    ))),
    Field("access", Kind.SECTION, help="the access window", form=Form((
        Field("start", Kind.DATE, help="first day of access"),
        Field("end", Kind.DATE, help="last day of access"),
    ))),
    Field("legal_basis", Kind.SECTION, help="the legal basis", form=Form((
        Field("gateway", Kind.CHOICE, choices=GATEWAYS, help="the legal gateway"),
        Field("art6", Kind.CHOICE, choices=ART6_BASES, help="the UK GDPR Article 6 basis"),
        Field("art9", Kind.CHOICE, required=False, choices=ART9_CONDITIONS,
              help="the Article 9 condition (needed for special category data)"),
        Field("art10", Kind.CHOICE, required=False, choices=ART10_CONDITIONS,
              help="the Article 10 / DPA 2018 Schedule 1 condition (needed for criminal "
                   "offence data)"),
    ))),
    Field("ethics_reference", max_length=100, help="the ethics approval's reference"),
    Field("dpia_reference", max_length=100,
          help="the data protection impact assessment's reference"),
))


def describe_legal_basis(gateway: str, art6: str, art9: str | None, art10: str | None
                         ) -> list[str]:
    """The legal basis in words, from the form's choices."""
    basis = [GATEWAYS[gateway], ART6_BASES[art6]]
    if art9:
        basis.append(ART9_CONDITIONS[art9])
    if art10:
        basis.append(ART10_CONDITIONS[art10])
    return basis


@dataclass(frozen=True)
class ResolvedField:
    """A requested field checked against the catalogue."""

    ref: FieldRef
    level: str
    justification: str
    why_not_coarser: str


@dataclass(frozen=True)
class ResolvedDataset:
    ref: DatasetRef
    fields: tuple[ResolvedField, ...]


def needs_strong_justification(ref: FieldRef, level: str) -> bool:
    return ref.sensitivity in (Sensitivity.SPECIAL_CATEGORY, Sensitivity.CRIMINAL_OFFENCE) or (
        ref.is_most_detailed(level))


def _short_justification(request: Mapping[str, Any], path: str, problems: list[Problem]
                         ) -> None:
    """The least any field's justification needs, checked even when the field or level is
    wrong, so that fixing those does not bring up another problem."""
    justification = request["justification"]
    if justification and len(justification) < MIN_JUSTIFICATION:
        problems.append(Problem(f"{path}.justification",
                                f"needs at least {MIN_JUSTIFICATION} characters (has "
                                f"{len(justification)})"))


def _check_field(ds: DatasetRef, request: Mapping[str, Any], path: str,
                 problems: list[Problem]) -> ResolvedField | None:
    ref = ds.fields.get(request["name"])
    if ref is None:
        if request["name"]:
            problems.append(Problem(f"{path}.name", f"{ds.name} {ds.version} has no field "
                                                    f"'{request['name']}' (fields: "
                                                    f"{', '.join(ds.fields)})"))
        _short_justification(request, path, problems)
        return None
    level = request["level"]
    if level not in ref.levels:
        if level:
            problems.append(Problem(f"{path}.level", f"'{level}' is not a level of {ref.name}; "
                                                     f"choose one of {', '.join(ref.levels)}"))
        _short_justification(request, path, problems)
        return None
    justification, why = request["justification"], request["why_not_coarser"]
    coarser = ref.coarser_than(level)
    if needs_strong_justification(ref, level):
        what = (f"{ref.sensitivity.in_words} data"
                if ref.sensitivity in (Sensitivity.SPECIAL_CATEGORY, Sensitivity.CRIMINAL_OFFENCE)
                else f"the most detailed level of {ref.name}")
        if len(justification) < MIN_STRONG_JUSTIFICATION:
            problems.append(Problem(f"{path}.justification",
                                    f"{level} is {what}: its justification needs at least "
                                    f"{MIN_STRONG_JUSTIFICATION} characters (has "
                                    f"{len(justification)})"))
        if coarser and len(why) < MIN_WHY_NOT_COARSER:
            problems.append(Problem(f"{path}.why_not_coarser",
                                    f"{level} is {what}: explain in at least "
                                    f"{MIN_WHY_NOT_COARSER} characters why the coarser "
                                    f"{' or '.join(coarser)} will not do"))
    else:
        _short_justification(request, path, problems)
    return ResolvedField(ref, level, justification, why)


def _check_dataset(catalogue: Catalogue, request: Mapping[str, Any], path: str,
                   problems: list[Problem]) -> ResolvedDataset | None:
    name, version = request["name"], request["version"]
    if not name or not version:
        return None
    versions = catalogue.versions(name)
    ds = catalogue.dataset(name, version)
    if not versions:
        problems.append(Problem(f"{path}.name", f"there is no dataset '{name}' in the catalogue"))
        return None
    if ds is None:
        problems.append(Problem(f"{path}.version", f"{name} has no version '{version}' "
                                                   f"(versions: {', '.join(versions)})"))
        return None
    resolved, seen = [], set()
    for j, field_request in enumerate(request["fields"]):
        fpath = f"{path}.fields[{j}]"
        if field_request["name"] in seen:
            problems.append(Problem(f"{fpath}.name", f"{field_request['name']} is asked for "
                                                     "twice"))
            continue
        seen.add(field_request["name"])
        checked = _check_field(ds, field_request, fpath, problems)
        if checked is not None:
            resolved.append(checked)
    return ResolvedDataset(ds, tuple(resolved))


def check_against_catalogue(values: Mapping[str, Any], catalogue: Catalogue
                            ) -> tuple[list[ResolvedDataset], list[Problem]]:
    """Check cleaned form values against the catalogue and each other."""
    problems: list[Problem] = []
    resolved: list[ResolvedDataset] = []
    seen: set[str] = set()
    for i, request in enumerate(values["datasets"]):
        if request["name"] in seen:
            problems.append(Problem(f"datasets[{i}].name", f"{request['name']} is asked for "
                                                           "twice"))
            continue
        seen.add(request["name"])
        checked = _check_dataset(catalogue, request, f"datasets[{i}]", problems)
        if checked is not None:
            resolved.append(checked)
    fields = [f for ds in resolved for f in ds.fields]
    basis = values["legal_basis"]
    if any(f.ref.sensitivity == Sensitivity.SPECIAL_CATEGORY for f in fields) and not basis["art9"]:
        problems.append(Problem("legal_basis.art9", "special category data is asked for, so an "
                                                    "Article 9 condition is required"))
    if any(f.ref.sensitivity == Sensitivity.CRIMINAL_OFFENCE for f in fields) and not basis[
            "art10"]:
        problems.append(Problem("legal_basis.art10", "criminal offence data is asked for, so an "
                                                     "Article 10 / DPA 2018 Schedule 1 condition "
                                                     "is required"))
    coverage, access = values["coverage"], values["access"]
    if coverage["from"] and coverage["to"] and coverage["to"] < coverage["from"]:
        problems.append(Problem("coverage.to", "is before coverage.from"))
    if access["start"] and access["end"] and access["end"] <= access["start"]:
        problems.append(Problem("access.end", "must be after access.start"))
    if resolved:
        for key in ("jurisdictions", "sources"):
            offered = {v for ds in resolved for v in getattr(ds.ref, key)}
            for k, wanted in enumerate(coverage[key]):
                if wanted not in offered:
                    problems.append(Problem(f"coverage.{key}[{k}]",
                                            f"'{wanted}' is not covered by the datasets asked "
                                            f"for ({', '.join(sorted(offered))})"))
    return resolved, problems
