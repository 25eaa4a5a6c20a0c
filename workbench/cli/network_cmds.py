"""CLI for stakeholder networks: ``workbench network`` and ``workbench relation``.

networkx and matplotlib are imported inside the commands, so ``workbench --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

import click

from workbench.cli.common import DefaultGroup, json_option, open_project, print_json, print_table
from workbench.core import relations as relations_core
from workbench.core.models import SECTORS
from workbench.errors import InvalidInput

project_arg = click.argument("project", type=click.Path(exists=True, dir_okay=False))


def _split(values: tuple[str, ...]) -> list[str]:
    """'trust,conflict' and repeated options -> ['trust', 'conflict']."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_signs(values: tuple[str, ...]) -> dict[str, int]:
    """'trust=+1', 'conflict=-1' (repeated or comma-separated) -> {'trust': 1, ...}.

    Raises:
        InvalidInput: an item is not NAME=+1, NAME=-1 or NAME=0.
    """
    signs: dict[str, int] = {}
    for item in _split(values):
        name, _, value = item.partition("=")
        value = value.strip().replace("−", "-")
        if not name.strip() or value not in ("+1", "1", "-1", "0", "+", "-"):
            raise InvalidInput(f"'{item}' is not a tie sign; write it as NAME=+1 or NAME=-1 "
                               "(e.g. --sign trust=+1 --sign conflict=-1).")
        signs[name.strip()] = {"+": 1, "-": -1}.get(value, None) or int(value)
    return signs


def network_options(func):
    """The options that say how the network is built (shared by network and its views)."""
    options = [
        click.option("--unit", type=click.Choice(["sentence", "segment", "window"]),
                     default="sentence", show_default=True,
                     help="What counts as mentioned together."),
        click.option("--window", type=click.IntRange(1, 100_000), default=150,
                     show_default=True, help="Characters between two mentions for --unit window."),
        click.option("--tie-codes", "tie_codes", multiple=True,
                     help="Codes that type ties, comma-separated (default: trust, conflict, "
                          "collaboration and their Danish names, where the codebook has them)."),
        click.option("--sign", "signs", multiple=True,
                     help="Tie sign for signed analysis, e.g. --sign trust=+1 --sign "
                          "conflict=-1 (adds to the defaults: trust and collaboration +1, "
                          "conflict -1)."),
        click.option("--collapse", type=click.Choice(["none", "organisations", "sectors"]),
                     default="none", show_default=True,
                     help="Merge roles, groups and participants into their organisations, or "
                          "everything into sectors."),
        click.option("--case", default=None, help="Only documents of this case."),
        click.option("--cycle", default=None, help="Only documents of this cycle."),
        click.option("--code", default=None,
                     help="Only passages that overlap a coding of this code."),
        click.option("--sector", "sectors", multiple=True, type=click.Choice(SECTORS),
                     help="Only ties with at least one end in this sector (repeatable)."),
        click.option("--min-weight", type=click.IntRange(1, None), default=1,
                     show_default=True, help="Only ties with at least this many passages."),
        click.option("--no-speakers", is_flag=True,
                     help="Leave out speaker -> mentioned ties."),
        click.option("--no-relations", is_flag=True,
                     help="Leave out the relations added by hand."),
        click.option("--isolates", is_flag=True, help="Keep stakeholders without ties."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_options(unit: str, window: int, tie_codes: tuple[str, ...], signs: tuple[str, ...],
                  collapse: str, case: str | None, cycle: str | None, code: str | None,
                  sectors: tuple[str, ...], min_weight: int, no_speakers: bool,
                  no_relations: bool, isolates: bool):
    """NetworkOptions from the command-line values."""
    from workbench.core.cases import parse_cycle
    from workbench.network.model import DEFAULT_SIGNS, NetworkOptions

    return NetworkOptions(
        unit=unit, window=window, tie_codes=tuple(_split(tie_codes)) or None,
        signs={**DEFAULT_SIGNS, **parse_signs(signs)}, collapse=collapse, case=case,
        cycle=parse_cycle(cycle) if cycle is not None else None, code=code,
        sectors=tuple(sectors), min_weight=min_weight, speakers=not no_speakers,
        relations=not no_relations, isolates=isolates)


@click.command()
@project_arg
@network_options
@click.option("--stats", is_flag=True,
              help="Print centrality, communities, brokerage, sector matrix and balance.")
@click.option("--ties", "show_ties", is_flag=True, help="List ties with their evidence quotes.")
@click.option("--stakeholder", default=None,
              help="With --ties: only the ties of this stakeholder (its ego network).")
@click.option("--type", "tie_type", default=None, help="With --ties: only ties of this type.")
@click.option("--quotes", type=click.IntRange(0, None), default=3, show_default=True,
              help="With --ties: quotes per tie (0 = all).")
@click.option("--compare", nargs=2, default=None, metavar="CYCLE CYCLE",
              help="Compare two cycles: ties gained, lost and changed in type.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Write the network to a file: .gexf, .graphml, .json, .dot, .png, .svg, "
                   ".pdf.")
@click.option("--format", "fmt", default=None,
              help="The file format when the extension does not say it.")
@click.option("--title", default=None, help="Title of a drawn figure.")
@click.option("--max-nodes", type=click.IntRange(2, 1000), default=60, show_default=True,
              help="At most this many nodes in a drawn figure (the most connected).")
@click.option("--typed-only", is_flag=True,
              help="In a drawn figure, leave out untyped co-mention and speaks-about ties.")
@click.option("--communities", "community_method", type=click.Choice(["louvain", "greedy"]),
              default="louvain", show_default=True, help="Community detection for --stats.")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed for Louvain communities.")
@click.option("--limit", type=click.IntRange(1, None), default=30, show_default=True,
              help="Rows of stakeholders (--stats) or ties (--ties, summary) to print.")
@json_option
def network(project: str, stats: bool, show_ties: bool, stakeholder: str | None,
            tie_type: str | None, quotes: int, compare: tuple[str, str] | None,
            out_path: str | None, fmt: str | None, title: str | None, max_nodes: int,
            typed_only: bool, community_method: str, seed: int, limit: int, as_json: bool,
            **build: Any) -> None:
    """Stakeholder network from mentions, speakers, codings and relations added by hand.

    Without --stats, --ties, --compare or --out it prints a summary and the strongest ties.
    Ties are co-mentions in one sentence (or --unit), a participant speaking about a
    stakeholder, and relations; a passage coded with a tie code (trust, conflict ...) makes
    a tie of that type.
    """
    from workbench.network import text as render
    from workbench.network.build import build_network

    options = build_options(**build)
    with open_project(project) as proj:
        if compare:
            from workbench.network.compare import compare_cycles

            result = compare_cycles(proj, compare[0], compare[1], options)
            if as_json:
                print_json(result)
            else:
                click.echo("\n".join(render.compare_lines(result, limit=limit)))
            return
        net = build_network(proj, options)
    outputs: dict[str, Any] = {}
    if out_path:
        from workbench.network.exports import export_network

        chosen = export_network(net, out_path, fmt=fmt, title=title, max_nodes=max_nodes,
                                show_untyped=not typed_only)
        message = (f"Wrote {len(net.nodes)} nodes and {len(net.ties)} ties to {out_path} "
                   f"({chosen.description}).")
        click.echo(message, err=as_json or stats or show_ties)
        outputs["written"] = out_path
    if stats:
        from workbench.network.stats import network_stats

        result = network_stats(net, community_method=community_method, seed=seed)
        if as_json:
            outputs["stats"] = result
        else:
            click.echo("\n".join(render.stats_lines(result, limit=limit)))
    if show_ties:
        ties = net.ties
        focus = None
        if stakeholder:
            node = net.find_node(stakeholder)
            if node is None:
                raise InvalidInput(f"'{stakeholder}' has no ties in this network; check the "
                                   "name with 'workbench stakeholders', or loosen the filters.")
            focus = node.key
            ties = net.ties_of(node.key)
        if tie_type:
            ties = [t for t in ties if t.type.casefold() == tie_type.casefold()]
        if as_json:
            outputs["ties"] = [t.as_dict(net, limit=quotes or None) for t in ties]
        else:
            if not ties:
                click.echo("No ties match.")
            for tie in ties:
                click.echo("\n".join(render.tie_lines(net, tie, quotes=quotes, focus=focus)))
    if as_json:
        if not (stats or show_ties):
            outputs["summary"] = net.summary() | {"tie_types": net.tie_types}
            outputs["nodes"] = [n.as_dict() for n in net.nodes.values()]
            outputs["ties"] = [t.as_dict(net, evidence=False) for t in net.ties]
        outputs["notes"] = net.notes
        print_json(outputs)
        return
    if not (stats or show_ties or out_path):
        click.echo("\n".join(render.summary_lines(net)))
        if net.ties:
            click.echo("")
            rows = [{"a": render.node_display(net, t.a), "b": render.node_display(net, t.b),
                     "type": t.type, "passages": t.weight} for t in net.ties[:limit]]
            print_table(rows, ["a", "b", "type", "passages"],
                        ["stakeholder", "stakeholder", "tie", "passages"])
        for note in net.notes:
            click.echo(f"Note: {note}", err=True)
        click.echo("(--ties lists the evidence, --stats the measures, --out FILE exports.)",
                   err=True)


# ------------------------------------------------------------------------------ relation
class _RelationGroup(DefaultGroup):
    default_command = "list"


@click.group(cls=_RelationGroup)
def relation() -> None:
    """Relations between stakeholders that you add by hand (member of, reports to, funds ...).

    'workbench relation PROJECT' lists them; add, remove and memo change them, each one step
    that 'workbench undo' reverses. They appear in 'workbench network' as ties of their kind.
    """


@relation.command(name="add")
@project_arg
@click.argument("source")
@click.argument("kind")
@click.argument("target")
@click.option("--memo", default="", help="Why: the meeting, document or informant that says so.")
@click.option("--coder", "author", default=None, help="Who adds it (default: the coder).")
@json_option
def relation_add(project: str, source: str, kind: str, target: str, memo: str,
                 author: str | None, as_json: bool) -> None:
    """Add a relation: SOURCE KIND TARGET, e.g. "Akutteamet" member_of "Herning Kommune".

    KIND is any short name; common ones: member_of, part_of, reports_to, funds,
    contracts_with, collaborates_with, represents.
    """
    with open_project(project, coder=author) as proj:
        added = relations_core.add_relation(proj, source, target, kind, memo=memo)
    if as_json:
        print_json(added)
        return
    click.echo(f"Added relation {added['id']}: {added['source']} {added['kind']} "
               f"{added['target']}.")


@relation.command(name="list")
@project_arg
@click.option("--stakeholder", default=None, help="Only relations of this stakeholder.")
@click.option("--kind", default=None, help="Only relations of this kind.")
@json_option
def relation_list(project: str, stakeholder: str | None, kind: str | None,
                  as_json: bool) -> None:
    """List the relations added by hand."""
    with open_project(project) as proj:
        rows = relations_core.list_relations(proj, stakeholder=stakeholder, kind=kind)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["id", "source", "kind", "target", "memo", "author"],
                empty="No relations yet; add one with 'workbench relation add PROJECT SOURCE "
                      "KIND TARGET --memo ...'.")


@relation.command(name="remove")
@project_arg
@click.argument("relation_id", type=int)
def relation_remove(project: str, relation_id: int) -> None:
    """Remove a relation by id ('workbench undo' brings it back)."""
    with open_project(project) as proj:
        gone = relations_core.remove_relation(proj, relation_id)
    click.echo(f"Removed relation {gone['id']}: {gone['source']} {gone['kind']} "
               f"{gone['target']}.")


@relation.command(name="memo")
@project_arg
@click.argument("relation_id", type=int)
@click.argument("memo")
def relation_memo(project: str, relation_id: int, memo: str) -> None:
    """Replace the memo of a relation."""
    with open_project(project) as proj:
        changed = relations_core.set_relation_memo(proj, relation_id, memo)
    click.echo(f"Memo of relation {changed['id']} saved.")


COMMANDS = [network, relation]
