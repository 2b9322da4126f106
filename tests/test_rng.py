"""The one place random generators are made: crmlab._rng."""

from __future__ import annotations

import numpy as np
import pytest

from crmlab._rng import as_generator, sklearn_seed


def test_int_repeats_and_generator_advances():
    assert as_generator(5).random() == as_generator(5).random()
    gen = np.random.default_rng(1)
    assert as_generator(gen) is gen
    first, second = as_generator(gen).random(), as_generator(gen).random()
    assert first != second


def test_seed_sequence_gives_independent_repeatable_streams():
    a = as_generator(np.random.SeedSequence(3, spawn_key=(1,))).random(3)
    b = as_generator(np.random.SeedSequence(3, spawn_key=(1,))).random(3)
    c = as_generator(np.random.SeedSequence(3, spawn_key=(2,))).random(3)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("bad", [1.5, "7", True, np.random.RandomState(0)])
def test_bad_random_state_is_a_type_error(bad):
    with pytest.raises(TypeError, match=r"f\(\): 'random_state' must be None, an int"):
        as_generator(bad, caller="f")


def test_negative_seed_is_a_value_error():
    with pytest.raises(ValueError, match=r"'random_state' must be a non-negative integer; got -1"):
        as_generator(-1)


def test_sklearn_seed():
    assert sklearn_seed(42) == 42
    gen = np.random.default_rng(0)
    seeds = {sklearn_seed(gen) for _ in range(5)}
    assert len(seeds) == 5 and all(0 <= s < 2**31 - 1 for s in seeds)
