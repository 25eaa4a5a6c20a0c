"""Every measure of a network in one report, for ``workbench network --stats`` and the TUI."""

from __future__ import annotations

from typing import Any

from workbench.network.balance import structural_balance
from workbench.network.brokerage import ROLES, gould_fernandez, sector_brokerage
from workbench.network.measures import DEFAULT_SEED, centrality, communities, sector_matrix
from workbench.network.model import Network


def network_stats(network: Network, *, community_method: str = "louvain",
                  seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Measures per node and for the whole network.

    Returns:
        ``{"summary", "options", "nodes": [per-node measures, most central first],
        "communities", "sector_matrix", "balance", "notes"}``.
    """
    notes = list(network.notes)
    cent = centrality(network, notes)
    comm = communities(network, community_method, seed)
    broker = sector_brokerage(network)
    roles = gould_fernandez(network)
    nodes = []
    for key, node in network.nodes.items():
        row: dict[str, Any] = {"key": key, "label": node.label, "sector": node.sector,
                               "kind": node.kind, "mentions": node.mentions,
                               "cases": sorted(node.cases)}
        row.update(cent.get(key, {}))
        row["community"] = comm["community_of"].get(key)
        row["sector_pairs"] = broker[key]["sector_pairs"]
        row["open_pairs"] = broker[key]["open_pairs"]
        row["brokered_sector_pairs"] = broker[key]["pairs"]
        row["roles"] = {r: roles[key][r] for r in (*ROLES, "total")}
        nodes.append(row)
    nodes.sort(key=lambda r: (-r["weighted_degree"], -r["degree"], r["label"].casefold()))
    labels = {k: n.label for k, n in network.nodes.items()}
    options = network.options
    return {
        "summary": network.summary() | {"tie_types": network.tie_types},
        "options": {"unit": options.unit, "window": options.window,
                    "collapse": options.collapse, "case": options.case,
                    "cycle": options.cycle, "code": options.code,
                    "sectors": list(options.sectors), "min_weight": options.min_weight,
                    "signs": {t: options.sign_of(t) for t in network.tie_types
                              if options.sign_of(t)}},
        "nodes": nodes,
        "communities": {"method": comm["method"], "seed": comm["seed"],
                        "modularity": comm["modularity"],
                        "groups": [[labels[k] for k in group] for group in comm["communities"]]},
        "sector_matrix": sector_matrix(network),
        "balance": structural_balance(network),
        "notes": notes,
    }
