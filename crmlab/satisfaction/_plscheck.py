"""Validation of a PLS path model specification and of the survey it is fitted to (private)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import pandas as pd

from crmlab._validation import CrmlabWarning, check_frame, check_numeric_columns, first_ids
from crmlab.satisfaction.reliability import average_variance_extracted, composite_reliability, cronbach_alpha


@dataclass(frozen=True)
class ModelSpec:
    """A validated model: construct and item order, block membership and inner paths."""

    constructs: tuple[str, ...]
    items: tuple[str, ...]
    item_construct: tuple[str, ...]
    block: np.ndarray  # (p, J) bool
    pred: np.ndarray  # (J, J) bool, pred[i, j] for i -> j
    mode_b: np.ndarray  # (J,) bool, True for formative (Mode B) blocks of two or more items

    @property
    def modes(self) -> tuple[str, ...]:
        """Per construct: "A" (reflective), "B" (formative) or "single" (one item; both modes coincide)."""
        sizes = self.block.sum(axis=0)
        return tuple(
            "single" if k == 1 else ("B" if b else "A") for k, b in zip(sizes, self.mode_b, strict=True)
        )

    def block_series(self, matrix: np.ndarray, name: str) -> pd.Series:
        """Values of ``matrix`` (p, J) inside the blocks, indexed by (construct, item)."""
        k, j = np.nonzero(self.block)
        index = pd.MultiIndex.from_arrays(
            [[self.constructs[c] for c in j], [self.items[i] for i in k]], names=["construct", "item"]
        )
        return pd.Series(matrix[k, j], index=index, name=name)

    def raise_collinear(self, j: int, caller: str, *, formative: bool = False) -> NoReturn:
        """Raise the error for construct ``j`` whose predictors (or formative items) are perfectly collinear."""
        if formative:
            items = [self.items[k] for k in np.flatnonzero(self.block[:, j])]
            raise ValueError(
                f"{caller}(): the items {items} of formative construct '{self.constructs[j]}' are (nearly) perfectly "
                "collinear (singular data), so Mode B regression weights do not exist; drop a redundant item or "
                "measure the construct in Mode A."
            )
        preds = [self.constructs[i] for i in np.flatnonzero(self.pred[:, j])]
        raise ValueError(
            f"{caller}(): the predictors of construct '{self.constructs[j]}' ({preds}) are perfectly collinear "
            "(singular data); their scores carry the same information: merge them or drop a path."
        )

    def reliability_table(self, raw: np.ndarray, loadings: pd.Series) -> pd.DataFrame:
        """Per construct: n_items, Cronbach's alpha (raw items), rho_c and AVE.

        NaN for single items and for formative blocks, whose items need not correlate.
        """
        rows = []
        frame = pd.DataFrame(raw, columns=list(self.items))
        for name, mode in zip(self.constructs, self.modes, strict=True):
            lam = loadings.loc[name]
            if len(lam) < 2 or mode == "B":
                rows.append((name, len(lam), np.nan, np.nan, np.nan))
                continue
            alpha = cronbach_alpha(frame, list(lam.index), construct=name)
            if (lam.abs() > 1).any():  # a Heywood case of PLSc: rho_c and AVE are undefined
                warnings.warn(
                    f"construct '{name}' has a loading above 1 in absolute value ({lam.abs().max():.3f}, a Heywood "
                    "case); its rho_c and AVE are reported as NaN.",
                    CrmlabWarning,
                    stacklevel=4,
                )
                rows.append((name, len(lam), alpha, np.nan, np.nan))
                continue
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
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[tuple[str, str]],
    *,
    min_indicators: int,
    caller: str,
    modes: Mapping[str, str] | None = None,
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
    mode_b = np.zeros(len(constructs), dtype=bool)
    if modes is not None:
        if not isinstance(modes, Mapping):
            raise TypeError(f"{caller}(): 'modes' must map construct names to 'A' or 'B'; got {modes!r}.")
        for name, mode in modes.items():
            if name not in pos:
                raise ValueError(f"{caller}(): 'modes' names construct '{name}', which has no block in 'blocks'.")
            if mode not in ("A", "B"):
                raise ValueError(
                    f"{caller}(): mode of construct '{name}' must be 'A' (reflective) or 'B' (formative); got {mode!r}."
                )
            mode_b[pos[name]] = mode == "B" and block[:, pos[name]].sum() > 1
    return ModelSpec(tuple(constructs), tuple(items), tuple(owner), block, pred, mode_b)


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


MISSING_OPTIONS = ("raise", "mean", "casewise")


@dataclass(frozen=True)
class Survey:
    """A validated item matrix with the record of what was missing and what was done about it."""

    raw: np.ndarray  # (n_kept, p) float, no NaN
    rows: pd.Index  # labels of the respondents kept
    report: pd.DataFrame  # per item: construct, n_coded, n_missing, n_replaced, n_rows_dropped


def _recode_sentinels(raw: np.ndarray, missing_values: Sequence[float] | None) -> np.ndarray:
    """Boolean mask of the answers equal to one of the sentinel codes."""
    if missing_values is None:
        return np.zeros(raw.shape, dtype=bool)
    return np.isin(raw, np.asarray(missing_values, dtype=float))


def check_missing_values(value: object, caller: str) -> tuple[float, ...] | None:
    """Validate ``missing_values=``: None, a number or a sequence of numbers."""
    if value is None:
        return None
    values = [value] if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else value
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise TypeError(
            f"{caller}(): 'missing_values' must be a number such as -99 or a list of numbers; got {value!r}."
        )
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v):
            raise TypeError(f"{caller}(): 'missing_values' must hold finite numbers; got {v!r} in {value!r}.")
        out.append(float(v))
    return tuple(out)


def _warn_suspicious(raw: np.ndarray, items: list[str], where: dict, index: pd.Index, caller: str) -> None:
    """With ``scale=None``: warn about answers far outside the pattern of the other answers to the item.

    An answer is suspicious when it is negative on an item whose answers are otherwise mostly
    non-negative (a rating scale), or when it lies more than three observed ranges (1st to 99th
    percentile) beyond that range: typical of sentinel codes such as -99 or 999.
    """
    lo, hi = np.nanquantile(raw, 0.01, axis=0), np.nanquantile(raw, 0.99, axis=0)
    span = np.maximum(hi - lo, 1e-12)
    far = (raw < lo - 3 * span) | (raw > hi + 3 * span)
    negative = (raw < 0) & (np.nanquantile(raw, 0.05, axis=0) >= 0)
    bad = np.nan_to_num(far | negative, nan=0).astype(bool)
    if bad.any():
        k = int(np.flatnonzero(bad.any(axis=0))[0])
        warnings.warn(
            f"{caller}(): item '{items[k]}' of construct '{where[items[k]]}' has {int(bad[:, k].sum())} answer(s) far "
            f"outside the range of its other answers (values: {first_ids(np.unique(raw[bad[:, k], k]))}, first rows: "
            f"{first_ids(index[bad[:, k]])}; {int(bad.any(axis=0).sum())} item(s) affected). With scale=None they are "
            "used as real answers; if they are codes for 'no answer', pass missing_values= (e.g. -99) or scale=.",
            CrmlabWarning,
            stacklevel=3,
        )


def check_survey(
    X: pd.DataFrame,
    spec: ModelSpec,
    *,
    scale: tuple[float, float] | None,
    caller: str,
    check_variance: bool = True,
    missing: str = "raise",
    missing_values: Sequence[float] | None = None,
    fill: np.ndarray | None = None,
) -> Survey:
    """Validate the survey against ``spec``; recode sentinel codes, handle missing answers.

    ``missing``: "raise" (default), "mean" (replace by the item mean: ``fill`` if given, e.g. the
    fitting sample's means, else the mean of the observed answers) or "casewise" (drop the
    respondents with any missing item; reported).
    """
    check_frame(X, caller=caller, name="X")
    missing_items = [(c, i) for c, i in zip(spec.item_construct, spec.items, strict=True) if i not in X.columns]
    if missing_items:
        con, item = missing_items[0]
        raise ValueError(
            f"{caller}(): construct '{con}' needs item '{item}', which is missing from 'X' "
            f"(missing items: {[i for _, i in missing_items]}); it has columns {list(map(str, X.columns))}."
        )
    items = list(spec.items)
    check_numeric_columns(X, items, caller=caller, name="X")
    raw = X[items].to_numpy(dtype=float, copy=True)
    where = dict(zip(spec.items, spec.item_construct, strict=True))
    coded = _recode_sentinels(raw, missing_values)
    raw[coded] = np.nan
    if scale is not None:
        lo, hi = scale
        bad = (raw < lo) | (raw > hi)
        if bad.any():
            k = int(np.flatnonzero(bad.any(axis=0))[0])
            item = items[k]
            raise ValueError(
                f"{caller}(): item '{item}' of construct '{where[item]}' has {int(bad[:, k].sum())} value(s) outside "
                f"the scale [{lo}, {hi}] (examples: {first_ids(np.unique(raw[bad[:, k], k]))}, first rows: "
                f"{first_ids(X.index[bad[:, k]])}); recode them, declare them with missing_values= "
                "or pass the right scale=."
            )
    else:
        _warn_suspicious(raw, items, where, X.index, caller)
    nan = np.isnan(raw)
    rows = X.index
    n_replaced = np.zeros(len(items), dtype=int)
    n_dropped = np.zeros(len(items), dtype=int)
    if nan.any():
        k = int(np.flatnonzero(nan.any(axis=0))[0])
        if missing == "raise":
            sentinel = " (after recoding missing_values)" if coded.any() else ""
            raise ValueError(
                f"{caller}(): item '{items[k]}' of construct '{where[items[k]]}' has {int(nan[:, k].sum())} missing "
                f"value(s){sentinel} (first rows: {first_ids(X.index[nan[:, k]])}); pass missing='mean' or "
                "missing='casewise', or impute or remove those respondents first: crmlab never drops rows silently."
            )
        if missing == "mean":
            means = np.nanmean(raw, axis=0) if fill is None else fill
            empty = np.isnan(means)
            if empty.any():
                raise ValueError(
                    f"{caller}(): item '{items[int(np.flatnonzero(empty)[0])]}' has no observed answer; "
                    "its mean cannot replace the missing ones: drop the item."
                )
            raw = np.where(nan, means, raw)
            n_replaced = nan.sum(axis=0)
        else:  # casewise
            keep = ~nan.any(axis=1)
            n_dropped = (nan & ~keep[:, None]).sum(axis=0)
            raw, rows = raw[keep], X.index[keep]
    report = pd.DataFrame(
        {
            "construct": [where[i] for i in items],
            "n_coded": coded.sum(axis=0),
            "n_missing": nan.sum(axis=0),
            "n_replaced": n_replaced,
            "n_rows_dropped": n_dropped,
        },
        index=pd.Index(items, name="item"),
    )
    if check_variance:
        if raw.shape[0] < 3:
            raise ValueError(f"{caller}(): 'X' has {raw.shape[0]} usable respondents; PLS needs at least 3.")
        const = np.flatnonzero(raw.std(axis=0) == 0)
        if const.size:
            item = items[const[0]]
            raise ValueError(
                f"{caller}(): item '{item}' of construct '{where[item]}' is constant (zero variance, singular data); "
                "drop it from the block."
            )
    return Survey(raw, rows, report)
