"""Which unread passages to look at next: confidence order and uncertainty sampling.

*Confidence* puts the passages the model is surest about first: quick wins for the researcher.
*Uncertainty* puts first the passages whose probability for some code is closest to that
code's decision threshold (smallest margin ``|p - threshold|``; the threshold is 0.5 unless
training chose another): whichever way she decides, the answer moves that code's decision
boundary most, so an hour spent on them teaches the model most (uncertainty sampling).
Each passage appears once, with the code it is most uncertain about, so the queue does not
spend her time on one passage four times.
"""

from __future__ import annotations

import numpy as np

ORDERS = ("confidence", "uncertainty")


def margins(probabilities: np.ndarray, threshold: np.ndarray | float = 0.5) -> np.ndarray:
    """Distance of each probability from its decision threshold (0 = most uncertain)."""
    return np.abs(np.asarray(probabilities, dtype=np.float64) - threshold)


def uncertainty_queue(passage: np.ndarray, probability: np.ndarray, top: int | None = None,
                      threshold: np.ndarray | float = 0.5) -> np.ndarray:
    """Indices into (passage, probability) pairs, most uncertain first, one per passage.

    Args:
        threshold: the decision threshold of each pair (or one for all).

    Ties are broken by passage order, so the queue is stable from run to run.
    """
    passage = np.asarray(passage, dtype=np.int64)
    if not len(passage):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((passage, margins(probability, threshold)))
    _, first = np.unique(passage[order], return_index=True)
    chosen = order[np.sort(first)]  # the most uncertain pair of each passage, still ranked
    return chosen[:top] if top is not None else chosen


def confidence_order(probability: np.ndarray, passage: np.ndarray | None = None) -> np.ndarray:
    """Indices of the pairs, most probable first (ties by passage order)."""
    probability = np.asarray(probability, dtype=np.float64)
    tiebreak = np.arange(len(probability)) if passage is None else np.asarray(passage)
    return np.lexsort((tiebreak, -probability))
