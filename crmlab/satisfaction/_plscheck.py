"""Validation of a PLS path model specification and of the survey it is fitted to (private)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import pandas as pd

from crmlab._validation import check_frame, check_numeric_columns, first_ids
from crmlab.satisfaction.reliability import average_variance_extracted, composite_reliability, cronbach_alpha


@dataclass(frozen=True)
class ModelSpec:
    """A validated model: construct and item order, block membership and inner paths."""

    constructs: tuple[str, ...]
    items: tuple[str, ...]
    item_construct: tuple[str, ...]
    block: np.ndarray  # (p, J) bool
    pred: np.ndarray  # (J, J) bool, pred[i, j] for i -> j

    def block_series(self, matrix: np.ndarray, name: str) -> pd.Series:
        """Values of ``matrix`` (p, J) inside the blocks, indexed by (construct, item)."""
        k, j = np.nonzero(self.block)
        index = pd.MultiIndex.from_arrays(
            [[self.constructs[c] for c in j], [self.items[i] for i in k]], names=["construct", "item"]
        )
        return pd.Series(matrix[k, j], index=index, name=name)

    def raise_collinear(self, j: int, caller: str) -> NoReturn:
        """Raise the error for construct ``j`` whose predictors are perfectly collinear."""
        preds = [self.constructs[i] for i in np.flatnonzero(self.pred[:, j])]
        raise ValueError(
            f"{caller}(): the predictors of construct '{self.constructs[j]}' ({preds}) are perfectly collinear "
            "(singular data); their scores carry the same information: merge them or drop a path."
        )

    def reliability_table(self, raw: np.ndarray, loadings: pd.Series) -> pd.DataFrame:
        """Per construct: n_items, Cronbach's alpha (raw items), rho_c and AVE (NaN for one item)."""
        rows = []
        frame = pd.DataFrame(raw, columns=list(self.items))
        for name in self.constructs:
            lam = loadings.loc[name]
            if len(lam) < 2:
                rows.append((name, 1, np.nan, np.nan, np.nan))
                continue
            alpha = cronbach_alpha(frame, list(lam.index), construct=name)
            rows.append(
                (
                    name,
                    len(lam),
                    alpha,
                    composite_reliability(lam, construct=name),
                    average_variance_extracted(lam, construct=name),
                )
            )
        return pd.DataFrame(rows, columns=["construct", "n_items", "cronbach_alpha", "rho_c", "ave"]).set_index(
            "construct"
        )


def parse_model(
    blocks: Mapping[str, Sequence[str]], paths: Sequence[tuple[str, str]], *, min_indicators: int, caller: str
) -> ModelSpec:
    """Validate ``blocks`` and ``paths`` and return a :class:`ModelSpec`."""
    if not isinstance(blocks, Mapping) or len(blocks) < 2:
        raise TypeError(
            f"{caller}(): 'blocks' must be a mapping of at least 2 constructs to item lists; got {blocks!r}."
        )
    constructs, items, owner = [], [], []
    for name, block_items in blocks.items():
        if isinstance(block_items, str) or not isinstance(block_items, Sequence):
            raise TypeError(f"{caller}(): construct '{name}' must map to a list of item names; got {block_items!r}.")
        if len(block_items) < min_indicators:
            raise ValueError(
                f"{caller}(): construct '{name}' has {len(block_items)} indicator(s) {list(block_items)}; "
                f"at least min_indicators={min_indicators} are required."
            )
        for item in block_items:
            if item in items:
                raise ValueError(
                    f"{caller}(): item '{item}' appears in construct '{name}' and in '{owner[items.index(item)]}'; "
                    "each item measures exactly one construct."
                )
            items.append(item)
            owner.append(name)
        constructs.append(name)
    pos = {c: i for i, c in enumerate(constructs)}
    pred = np.zeros((len(constructs), len(constructs)), dtype=bool)
    for edge in paths:
        if not (isinstance(edge, Sequence) and len(edge) == 2):
            raise TypeError(f"{caller}(): each path must be a (cause, effect) pair; got {edge!r}.")
        src, tgt = edge
        for end in (src, tgt):
            if end not in pos:
                raise ValueError(f"{caller}(): path {edge!r} names construct '{end}', which has no block in 'blocks'.")
        if src == tgt:
            raise ValueError(f"{caller}(): path {edge!r} points construct '{src}' at itself.")
        pred[pos[src], pos[tgt]] = True
    isolated = [c for c in constructs if not (pred[pos[c]].any() or pred[:, pos[c]].any())]
    if isolated:
        raise ValueError(f"{caller}(): construct(s) {isolated} take part in no path; connect or remove them.")
    _check_acyclic(pred, constructs, caller)
    block = np.zeros((len(items), len(constructs)), dtype=bool)
    block[np.arange(len(items)), [pos[o] for o in owner]] = True
    return ModelSpec(tuple(constructs), tuple(items), tuple(owner), block, pred)


def _check_acyclic(pred: np.ndarray, constructs: list[str], caller: str) -> None:
    remaining = np.ones(len(constructs), dtype=bool)
    while remaining.any():
        sources = _no_incoming(pred, remaining)
        if not sources.any():
            cyc = [c for c, r in zip(constructs, remaining, strict=True) if r]
            raise ValueError(f"{caller}(): the inner model has a cycle among {cyc}; PLS-PM needs a recursive model.")
        remaining &= ~sources


def _no_incoming(pred: np.ndarray, remaining: np.ndarray) -> np.ndarray:
    """Flag the remaining constructs that no remaining construct points at."""
    incoming = pred[remaining].any(axis=0)
    return remaining & ~incoming


def check_survey(
    X: pd.DataFrame, spec: ModelSpec, *, scale: tuple[float, float] | None, caller: str, check_variance: bool = True
) -> np.ndarray:
    """Validate the survey against ``spec`` and return the item matrix (n, p) as float."""
    check_frame(X, caller=caller, name="X")
    missing = [(c, i) for c, i in zip(spec.item_construct, spec.items, strict=True) if i not in X.columns]
    if missing:
        con, item = missing[0]
        raise ValueError(
            f"{caller}(): construct '{con}' needs item '{item}', which is missing from 'X' "
            f"(missing items: {[i for _, i in missing]}); it has columns {list(map(str, X.columns))}."
        )
    items = list(spec.items)
    check_numeric_columns(X, items, caller=caller, name="X")
    raw = X[items].to_numpy(dtype=float)
    where = dict(zip(spec.items, spec.item_construct, strict=True))
    nan_cols = np.flatnonzero(np.isnan(raw).any(axis=0))
    if nan_cols.size:
        item = items[nan_cols[0]]
        rows = first_ids(X.index[np.isnan(raw[:, nan_cols[0]])])
        raise ValueError(
            f"{caller}(): item '{item}' of construct '{where[item]}' has missing values (first rows: {rows}); "
            "impute or remove those respondents first: crmlab never drops rows silently."
        )
    if scale is not None:
        lo, hi = scale
        bad = (raw < lo) | (raw > hi)
        if bad.any():
            k = int(np.flatnonzero(bad.any(axis=0))[0])
            item = items[k]
            raise ValueError(
                f"{caller}(): item '{item}' of construct '{where[item]}' has {int(bad[:, k].sum())} value(s) outside "
                f"the scale [{lo}, {hi}] (examples: {first_ids(np.unique(raw[bad[:, k], k]))}, first rows: "
                f"{first_ids(X.index[bad[:, k]])}); recode them or pass the right scale=."
            )
    if check_variance:
        if raw.shape[0] < 3:
            raise ValueError(f"{caller}(): 'X' has {raw.shape[0]} respondents; PLS needs at least 3.")
        const = np.flatnonzero(raw.std(axis=0) == 0)
        if const.size:
            item = items[const[0]]
            raise ValueError(
                f"{caller}(): item '{item}' of construct '{where[item]}' is constant (zero variance, singular data); "
                "drop it from the block."
            )
    return raw
