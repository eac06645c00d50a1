"""``fivesafes output ...`` as a researcher and two output checkers would type it: make, ask,
review, read the released zone; bad input gets one line that says what to do."""

from __future__ import annotations

import json

from click.testing import CliRunner

from fivesafes.cli import main
from tests.conftest import without_demo_notice
from tests.outputs.conftest import Project


def test_the_output_commands_take_a_table_from_the_workspace_to_the_released_zone(
        project: Project, checkers: tuple[str, ...], tmp_path) -> None:
    home = project.walk.home
    runner = CliRunner()

    def run(*args: str, actor: str = project.lead):
        return runner.invoke(main, [*args, "--home", str(home.root), "--as", actor])

    made = run("output", "table", project.project, "magistrates", "--by", "hearing_date_year",
               "--name", "Hearings by year")
    assert made.exit_code == 0, made.output
    output = made.stdout.split()[0]
    assert output.startswith("O-") and "checks: pass" in made.output
    small = run("output", "table", project.project, "magistrates", "--by", "outcome",
                "--name", "Outcomes")
    assert "(withheld)" in small.output and "interval attack" in small.output
    listed = run("output", "list", project.project)
    assert output in listed.output and "draft" in listed.output
    asked = run("output", "request", project.project, output, "--justification",
                "The yearly counts are the headline figure of the report.", "--purpose",
                "Research question 1")
    assert asked.exit_code == 0, asked.output
    request = asked.stdout.split(":")[0]
    pending = run("output", "requests", "--status", "pending", actor=checkers[0])
    assert request in pending.output
    first = run("output", "review", request, "--decision", "approve", actor=checkers[0])
    assert "waiting for a second output checker" in first.output
    again = run("output", "review", request, "--decision", "approve", actor=checkers[0])
    assert again.exit_code != 0 and "already reviewed" in again.output
    second = run("output", "review", request, "--decision", "approve", actor=checkers[1])
    assert "released" in second.output
    shown = run("output", "released", "--project", project.project)
    assert request in shown.output and ".csv" in shown.output
    detail = run("output", "show", request, actor=checkers[2])
    assert "review by" in detail.output and output in detail.output
    exported = run("output", "export", request, "--out", str(tmp_path / "sacro"),
                   actor=checkers[2])
    assert exported.exit_code == 0, exported.output
    document = json.loads((tmp_path / "sacro" / "results.json").read_text())
    assert list(document["results"]) == [output]
    imported = run("output", "import", str(tmp_path / "sacro"), actor=checkers[2])
    assert output in imported.output and "pass" in imported.output


def test_bad_output_input_gets_one_line_that_says_what_to_do(project: Project) -> None:
    home = project.walk.home
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [*args, "--home", str(home.root), "--as", project.lead])

    cases = [
        (("output", "table", project.project, "magistrates", "--by", "nope", "--name", "x"),
         "no field 'nope'"),
        (("output", "table", project.project, "magistrates", "--by", "outcome", "--name", "x",
          "--where", "{not json"), "--where is JSON"),
        (("output", "histogram", project.project, "magistrates", "hearing_date_year",
          "--bins", "a,b", "--name", "x"), "--bins takes numbers"),
        (("output", "table", project.project, "nowhere", "--by", "outcome", "--name", "x"),
         "there is no table nowhere"),
        (("output", "request", project.project, "O-9999", "--justification", "short",
          "--purpose", "p"), "at least 20 characters"),
        (("output", "show", "O-99999"), "there is no output"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert len(without_demo_notice(result.output).strip().splitlines()) == 1, result.output


def test_regression_and_survival_commands_check_and_keep_their_output(
        project: Project) -> None:
    home = project.walk.home
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [*args, "--home", str(home.root), "--as", project.lead])

    fitted = run("output", "regression", project.project, "magistrates", "hearing_date_year",
                 "--predictor", "outcome", "--name", "Year by outcome")
    assert fitted.exit_code == 0, fitted.output
    output = fitted.stdout.split()[0]
    assert output.startswith("O-") and "regression" in fitted.output
    shown = run("output", "show", output)
    assert shown.exit_code == 0 and "Year by outcome" in shown.output
    survival = run("output", "survival", project.project, "magistrates", "--time",
                   "hearing_date_year", "--event", "outcome", "--periods", "0,2020,2022",
                   "--name", "Not an event")
    assert survival.exit_code != 0
    assert len(without_demo_notice(survival.output).strip().splitlines()) == 1, survival.output
    assert "must hold true/false or 1/0" in survival.output
