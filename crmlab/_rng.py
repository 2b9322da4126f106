"""The single place where crmlab turns a ``random_state`` into a generator."""

from __future__ import annotations

import numbers

import numpy as np

RandomState = None | int | np.random.Generator | np.random.SeedSequence

__all__ = ["RandomState", "as_generator", "sklearn_seed"]


def as_generator(random_state: RandomState, *, caller: str = "as_generator") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``random_state``.

    Parameters
    ----------
    random_state : None, int or numpy.random.Generator
        ``None`` draws fresh entropy from the operating system; an int (or a
        ``numpy.random.SeedSequence``, for independent streams derived from one
        seed) seeds a new PCG64 generator, so the same value always repeats
        exactly; a Generator is returned as it is, so that successive calls advance it.
    caller : str, default="as_generator"
        Name of the public function asking, used in the error message.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        If ``random_state`` is none of the accepted types (a legacy
        ``RandomState`` included: crmlab uses the Generator API only).
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if int(random_state) < 0:
            raise ValueError(f"{caller}(): 'random_state' must be a non-negative integer; got {random_state}.")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"{caller}(): 'random_state' must be None, an int or a numpy.random.Generator; "
        f"got {type(random_state).__name__}."
    )


def sklearn_seed(random_state: RandomState, *, caller: str = "sklearn_seed") -> int:
    """Return an int seed for scikit-learn drawn from ``random_state``.

    scikit-learn accepts a legacy ``RandomState`` or an int; crmlab always passes
    an int so the two libraries never share mutable random state.

    Parameters
    ----------
    random_state : None, int or numpy.random.Generator
        An int is passed through unchanged; a Generator is advanced by one draw.
    caller : str, default="sklearn_seed"
        Name of the public function asking, used in error messages.

    Returns
    -------
    int
        A seed in ``[0, 2**31 - 1)``.
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if 0 <= int(random_state) < 2**31 - 1:
            return int(random_state)
    return int(as_generator(random_state, caller=caller).integers(0, 2**31 - 1))
