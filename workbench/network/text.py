"""Plain-text renderings of network results, for the CLI (and anything else that prints)."""

from __future__ import annotations

from typing import Any

from workbench.network.model import Network, Tie

SECTOR_SHORT = {
    "municipality": "mun", "region": "reg", "hospital": "hosp", "general_practice": "gp",
    "state": "state", "political": "pol", "interest_organisation": "int.org",
    "public_innovation_body": "innov", "knowledge_institution": "know",
    "private_company": "priv", "foundation": "found", "civil_society": "civil",
    "citizen": "citiz", "partnership_project": "partn", "international": "intl",
    "unknown": "?",
}


def short_sector(sector: str) -> str:
    """A short column name for a sector slug."""
    return SECTOR_SHORT.get(sector or "unknown", sector[:6])


def _table(rows: list[list[str]], headers: list[str], right: set[int] | None = None) -> list[str]:
    right = right or set()
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w)
               for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(out).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def node_display(network: Network, key: str) -> str:
    """A node's label with its role and organisation for participants."""
    node = network.nodes[key]
    if node.kind == "participant":
        extra = ", ".join(x for x in (node.role, node.organisation) if x)
        return f"{node.label} ({extra})" if extra else node.label
    return node.label


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1].rstrip() + "…"


def tie_lines(network: Network, tie: Tie, *, quotes: int = 3, width: int = 220,
              focus: str | None = None) -> list[str]:
    """A tie and its evidence: one header line, then one line per passage."""
    a, b = (tie.a, tie.b) if focus != tie.b else (tie.b, tie.a)
    sign = {1: " (+)", -1: " (−)"}.get(tie.sign, "")
    fwd, back = (tie.forward, tie.backward) if a == tie.a else (tie.backward, tie.forward)
    parts = [f"{n} from {network.nodes[k].label}" for n, k in ((fwd, a), (back, b)) if n]
    direction = f"; {', '.join(parts)}" if parts else ""
    lines = [f"{node_display(network, a)} — {node_display(network, b)}: {tie.type}{sign}, "
             f"{tie.weight} passage{'s' if tie.weight != 1 else ''}{direction}"]
    shown = tie.passages if quotes <= 0 else tie.passages[:quotes]
    for p in shown:
        if p.via == "relation":
            where = f"relation {p.relation_id} (added by hand)"
        else:
            where = f"{p.document} {p.start}-{p.end}"
            if p.speaker:
                where += f", {p.speaker} speaking"
        lines.append(f"    {where}: “{_shorten(p.quote, width)}”")
    if len(shown) < len(tie.passages):
        lines.append(f"    … and {len(tie.passages) - len(shown)} more (--quotes 0 shows all)")
    return lines


def summary_lines(network: Network) -> list[str]:
    """Counts of nodes, ties and passages by tie type."""
    info = network.summary()
    opts = network.options
    lines = [f"{info['nodes']} nodes, {info['ties']} ties, {info['passages']} passages "
             f"(unit: {opts.unit}{f' {opts.window} chars' if opts.unit == 'window' else ''}; "
             f"collapse: {opts.collapse})"]
    for tie_type in network.tie_types:
        entry = info["by_type"][tie_type]
        sign = {1: ", sign +", -1: ", sign −"}.get(opts.sign_of(tie_type), "")
        lines.append(f"  {tie_type}: {entry['ties']} ties, {entry['passages']} passages{sign}")
    return lines


def stats_lines(stats: dict[str, Any], *, limit: int = 30) -> list[str]:
    """The --stats report: nodes with measures, communities, sector matrix, balance."""
    out: list[str] = []
    summary = stats["summary"]
    opts = stats["options"]
    out.append(f"Network: {summary['nodes']} nodes, {summary['ties']} ties, "
               f"{summary['passages']} passages (unit {opts['unit']}, collapse "
               f"{opts['collapse']}, min weight {opts['min_weight']})")
    for tie_type in summary["tie_types"]:
        entry = summary["by_type"][tie_type]
        out.append(f"  {tie_type}: {entry['ties']} ties, {entry['passages']} passages")
    nodes = stats["nodes"]
    out += ["", f"Stakeholders by weighted degree ({min(limit, len(nodes))} of {len(nodes)}; "
            "eigenvector within each component; roles = Gould-Fernandez "
            "coordinator/gatekeeper/representative/consultant/liaison):"]
    rows = []
    for n in nodes[:limit]:
        roles = n["roles"]
        eig = "–" if n["eigenvector"] is None else f"{n['eigenvector']:.3f}"
        rows.append([n["label"][:40], short_sector(n["sector"]), str(n["mentions"]),
                     str(n["degree"]), str(n["weighted_degree"]), f"{n['betweenness']:.3f}",
                     eig, str(n["community"] + 1 if n["community"] is not None else "–"),
                     str(n["sector_pairs"]),
                     "/".join(str(roles[r]) for r in ("coordinator", "gatekeeper",
                                                      "representative", "consultant",
                                                      "liaison"))])
    out += _table(rows, ["stakeholder", "sector", "mentions", "degree", "w.degree",
                         "betweenness", "eigenvector", "comm.", "sector pairs",
                         "roles co/gk/rp/cs/li"], right={2, 3, 4, 5, 6, 7, 8})
    comm = stats["communities"]
    seed = f", seed {comm['seed']}" if comm["seed"] is not None else ""
    out += ["", f"Communities ({comm['method']}{seed}; modularity {comm['modularity']:.3f}):"]
    for i, group in enumerate(comm["groups"], 1):
        if len(group) < 2 and i > 10:
            continue
        out.append(f"  {i}. {_shorten(', '.join(group), 160)}")
    matrix = stats["sector_matrix"]
    sectors = matrix["sectors"]
    for tie_type, tables in matrix["types"].items():
        out += ["", f"Sector by sector, {tie_type} (passages):"]
        rows = [[short_sector(s), *(str(tables["passages"].get(s, {}).get(t, "")) or "·"
                                    for t in sectors)] for s in sectors]
        out += _table(rows, ["", *(short_sector(s) for s in sectors)],
                      right=set(range(1, len(sectors) + 1)))
    out.append("  (" + ", ".join(f"{short_sector(s)} = {s}" for s in sectors) + ")")
    bal = stats["balance"]
    out += ["", "Structural balance of signed triads:"]
    if bal["triangles"]:
        out.append(f"  {bal['triangles']} signed triangles: {bal['balanced']} balanced, "
                   f"{bal['unbalanced']} unbalanced ({bal['share_balanced']:.0%} balanced); "
                   + ", ".join(f"{p} {c}" for p, c in bal["by_pattern"].items()))
        for example in bal["unbalanced_examples"]:
            out.append(f"  unbalanced: {' – '.join(example[:3])} ({example[3]})")
    else:
        out.append("  no triangle of three signed ties (code trust and conflict passages, or "
                   "use --tie-codes and --sign)")
    out.append(f"  {bal['signed_pairs']} signed pairs, {bal['ambivalent_pairs']} ambivalent "
               "(trust and conflict cancel out) left out")
    for note in stats["notes"]:
        out.append(f"Note: {note}")
    return out


def compare_lines(result: dict[str, Any], *, limit: int = 40) -> list[str]:
    """The --compare report: ties gained, lost and changed in type."""
    out = [f"{result['before']} → {result['after']}: "
           + ", ".join(f"{len(result[k])} {k}" for k in ("gained", "lost", "changed", "kept"))]

    def weights(w: dict[str, int]) -> str:
        return ", ".join(f"{t} {n}" for t, n in sorted(w.items())) or "none"

    titles = {"changed": "Changed type", "gained": "Gained", "lost": "Lost"}
    for group in ("changed", "gained", "lost"):
        entries = result[group]
        if not entries:
            continue
        out += ["", f"{titles[group]} ({len(entries)}):"]
        for e in entries[:limit]:
            out.append(f"  {e['a_label']} — {e['b_label']}: {weights(e['before'])} → "
                       f"{weights(e['after'])}")
        if len(entries) > limit:
            out.append(f"  … and {len(entries) - limit} more (--json lists all)")
    if result["nodes_gained"]:
        out += ["", "New in " + result["after"] + ": "
                + _shorten(", ".join(result["nodes_gained"]), 400)]
    if result["nodes_lost"]:
        out += ["Not in " + result["after"] + ": "
                + _shorten(", ".join(result["nodes_lost"]), 400)]
    return out
