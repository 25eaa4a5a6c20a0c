"""CLI for assisted coding: suggest, suggest-eval, and suggestion accept/reject.

scikit-learn is imported inside the commands (through workbench.analysis.suggestions), so
``workbench --help`` stays fast.
"""

from __future__ import annotations

import sys

import click

from workbench.cli.common import coder_option, json_option, open_project, print_json, print_table
from workbench.errors import WorkbenchError

project_arg = click.argument("project", type=click.Path(exists=True, dir_okay=False))
UNIT_HELP = ("Passages to learn from and suggest: speaker turns and paragraphs (segment) or "
             "sentences; remembered as the project's setting.")


def _trim(text: str, limit: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def _quality(metrics: dict) -> str:
    if not metrics:
        return "trained (too few examples to cross-validate)"
    return (f"F1 {metrics['f1']:.2f} (precision {metrics['precision']:.2f}, recall "
            f"{metrics['recall']:.2f}; {metrics['folds']}-fold cross-validation)")


def _set_unit(proj, unit: str | None) -> None:
    from workbench.analysis.passages import UNIT_SETTING

    if unit and proj.setting(UNIT_SETTING) != unit:
        proj.set_setting(UNIT_SETTING, unit)


# ------------------------------------------------------------------------------ suggest
@click.command()
@project_arg
@click.option("--code", default=None, help="Only this code's suggestions (name or label).")
@click.option("--train", "force", is_flag=True,
              help="Retrain every code (by default only codes whose examples changed since "
                   "the last training are retrained).")
@click.option("--top", default=20, show_default=True, type=click.IntRange(0, None),
              help="How many suggestions to list (0: all).")
@click.option("--order", type=click.Choice(["confidence", "uncertainty"]), default="confidence",
              show_default=True,
              help="confidence: the surest suggestions first. uncertainty: the unread passages "
                   "the model is least sure about first (active learning: deciding these "
                   "teaches it most).")
@click.option("--origin", type=click.Choice(["all", "model", "indicator"]), default="all",
              show_default=True, help="Which suggestions to list.")
@click.option("--unit", type=click.Choice(["segment", "sentence"]), default=None, help=UNIT_HELP)
@json_option
def suggest(project: str, code: str | None, force: bool, top: int, order: str, origin: str,
            unit: str | None, as_json: bool) -> None:
    """Learn from your codings and list code suggestions for passages you have not coded.

    Each code gets its own classifier (logistic regression on lemma words and word pairs, and
    on the codebook's indicator hits once 'workbench tag' has run), retrained when its codings
    or your accept/reject decisions changed. Its cross-validated
    quality is shown first; a code with too few coded passages is not suggested yet, and the
    note says how many more it needs. Model suggestions are listed with the indicator
    suggestions from 'workbench tag', each labelled by origin; 'agrees' names a suggestion
    of the other origin for the same code on the same text. Accept or reject them with
    'workbench suggestion accept|reject PROJECT ID...' (or in the coding app).
    """
    from workbench.analysis import suggestions as sg

    with open_project(project) as proj:
        _set_unit(proj, unit)
        run = sg.suggest(proj, code=code, force=force, top=top or None, order=order,
                         origin=None if origin == "all" else origin)
        tagged = proj.conn.execute("SELECT 1 FROM tagged_documents LIMIT 1").fetchone()
    if as_json:
        print_json(run.as_json())
        return
    model = run.training.model
    if model.id is None:
        click.echo(f"No model yet ({model.unit} units): no code has enough examples.")
    else:
        what = ("retrained " + ", ".join(run.training.retrained)) if run.training.retrained \
            else "no code needed retraining"
        click.echo(f"Model {model.id} ({model.unit} units, codebook "
                   f"{model.codebook_version}): {what}.")
    if not tagged:
        click.echo("Tip: run 'workbench tag' on the project first; the codebook's indicators "
                   "then join what the model learns from your codings.", err=True)
    for info in model.codes.values():
        if info.status == "trained":
            click.echo(f"  {info.name}: {_quality(info.metrics)}; {info.positives} coded, "
                       f"{info.negatives} other passages.")
        else:
            click.echo(f"  {sg.note(info)}")
    click.echo(f"{run.stored['open']} open model suggestion(s) "
               f"({run.stored['added']} new, {run.stored['removed']} withdrawn).")
    click.echo("")
    rows = [{"id": r["id"], "origin": r["origin"], "code": r["code"],
             "score": f"{r['score']:.2f}",
             "threshold": "" if r.get("threshold") is None else f"{r['threshold']:.2f}",
             "document": r["document"], "agrees": ",".join(str(a) for a in r["agrees"]),
             "evidence": ", ".join(r["evidence_words"][:3]),
             "passage": _trim(r.get("text", ""), 60)} for r in run.rows]
    columns = ["id", "origin", "code", "score", "document", "agrees", "evidence", "passage"]
    if order == "uncertainty":
        columns.insert(4, "threshold")
    print_table(rows, columns, empty="(no open suggestions)")


# ------------------------------------------------------------------------- suggest-eval
@click.command(name="suggest-eval")
@project_arg
@click.option("--unit", type=click.Choice(["segment", "sentence"]), default=None, help=UNIT_HELP)
@json_option
def suggest_eval(project: str, unit: str | None, as_json: bool) -> None:
    """How well each code is learnt: cross-validated precision, recall and F1 on your own
    codings, next to the codebook indicators on the same passages (when the project is
    tagged), and how many more coded passages each code that cannot be learnt yet needs.
    """
    from workbench.analysis import suggestions as sg

    with open_project(project) as proj:
        _set_unit(proj, unit)
        report = sg.evaluate(proj)
    if as_json:
        print_json(report)
        return

    def fmt(metrics: dict | None, key: str) -> str:
        return "" if not metrics else f"{metrics[key]:.2f}"

    rows = []
    for row in report["codes"]:
        short = "" if row["status"] == "trained" else \
            f"needs {row['needed']['positives']} more coded" if row["needed"]["positives"] \
            else f"needs {row['needed']['negatives']} more read"
        rows.append({"code": row["code"], "coded": row["positives"],
                     "other": row["negatives"], "precision": fmt(row["model"], "precision"),
                     "recall": fmt(row["model"], "recall"), "f1": fmt(row["model"], "f1"),
                     "indicator_f1": fmt(row["indicators"], "f1"), "note": short})
    print_table(rows, ["code", "coded", "other", "precision", "recall", "f1", "indicator_f1",
                       "note"],
                headers=["code", "coded", "other", "precision", "recall", "F1",
                         "indicators F1", "note"])
    macro = report["macro"]
    if macro:
        line = f"Macro F1 over {macro['codes']} learnt code(s): model {macro['model_f1']:.2f}"
        if "indicator_f1" in macro:
            line += f", indicators {macro['indicator_f1']:.2f}"
        click.echo(line + ".")
    for text in report["notes"]:
        if "cannot learn" in text or "rough" in text:
            click.echo(text)


# --------------------------------------------------------------------------- suggestion
@click.group()
def suggestion() -> None:
    """Decide on suggestions: 'workbench suggestion accept|reject PROJECT ID...'.

    Accepting makes a coding (origin "suggestion"); rejecting is remembered and teaches the
    model that the passage does not have the code. Each decision is one step that
    'workbench undo' reverses.
    """


def _decide(project: str, ids: tuple[int, ...], coder: str | None, accept: bool) -> None:
    from workbench.core import suggestions as core

    failed = 0
    with open_project(project, coder=coder) as proj:
        for suggestion_id in ids:
            try:
                if accept:
                    coding_id = core.accept_suggestion(proj, suggestion_id)
                    click.echo(f"Accepted suggestion {suggestion_id}: coding {coding_id}.")
                else:
                    core.reject_suggestion(proj, suggestion_id)
                    click.echo(f"Rejected suggestion {suggestion_id}.")
            except WorkbenchError as exc:
                failed += 1
                click.echo(f"error: {exc}", err=True)
    if failed:
        sys.exit(1)


@suggestion.command()
@project_arg
@click.argument("ids", nargs=-1, required=True, type=int)
@coder_option
def accept(project: str, ids: tuple[int, ...], coder: str | None) -> None:
    """Accept suggestions: each becomes a coding with origin "suggestion"."""
    _decide(project, ids, coder, accept=True)


@suggestion.command()
@project_arg
@click.argument("ids", nargs=-1, required=True, type=int)
@coder_option
def reject(project: str, ids: tuple[int, ...], coder: str | None) -> None:
    """Reject suggestions: remembered, and used as counter-examples in the next training."""
    _decide(project, ids, coder, accept=False)


COMMANDS = [suggest, suggest_eval, suggestion]
