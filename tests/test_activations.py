"""The squashing functions of the 1997 LSTM against their definitions (Section 4, Appendix A.1)."""

import warnings

import numpy as np
import pytest

from lstm_edu import activations as A

X = np.linspace(-30.0, 30.0, 601)


def logistic_definition(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_f_g_h_match_their_definitions():
    np.testing.assert_allclose(A.f(X), logistic_definition(X), rtol=0, atol=1e-15)
    np.testing.assert_allclose(A.g(X), 4.0 * logistic_definition(X) - 2.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(A.h(X), 2.0 * logistic_definition(X) - 1.0, rtol=0, atol=1e-15)
    assert A.f(0.0) == 0.5 and A.g(0.0) == 0.0 and A.h(0.0) == 0.0


def test_ranges_are_those_of_the_text_not_of_table_10_caption():
    big = np.array([-1e4, 1e4])
    np.testing.assert_array_equal(A.g(big), [-2.0, 2.0])
    np.testing.assert_array_equal(A.h(big), [-1.0, 1.0])
    np.testing.assert_array_equal(A.f(big), [0.0, 1.0])


@pytest.mark.parametrize("fun, prime", [(A.f, A.f_prime), (A.g, A.g_prime), (A.h, A.h_prime)])
def test_derivatives_match_central_differences(fun, prime):
    x = np.linspace(-8.0, 8.0, 161)
    eps = 1e-6
    numeric = (fun(x + eps) - fun(x - eps)) / (2 * eps)
    # two values near 2 (g) differ by ~4e-16 rounding, so the quotient is known to ~4e-16 / eps
    np.testing.assert_allclose(prime(x), numeric, rtol=1e-8, atol=1e-9)


def test_derivatives_from_the_logistic():
    y = logistic_definition(X)
    np.testing.assert_allclose(A.f_prime(X), y * (1 - y), rtol=0, atol=5e-16)
    np.testing.assert_allclose(A.g_prime(X), 4 * y * (1 - y), rtol=0, atol=1e-15)
    np.testing.assert_allclose(A.h_prime(X), 2 * y * (1 - y), rtol=0, atol=1e-15)


def test_no_overflow_warnings_for_huge_arguments():
    x = np.array([-1e308, -800.0, -50.0, 50.0, 800.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            for fun in (A.f, A.f_prime, A.g, A.g_prime, A.h, A.h_prime):
                assert np.all(np.isfinite(fun(x)))
    assert A.f_prime(np.array([800.0]))[0] == 0.0


def test_cell_squashing_pairs():
    s = np.array([-1.0, 0.5, 3.0])
    # the time loop's derivative from the value, for every squashing function of the nets
    for (offset, scale), fun, prime in ((A.H_1997, A.h, A.h_prime), (A.G_1997, A.g, A.g_prime),
                                        (A.LOGISTIC, A.f, A.f_prime)):
        np.testing.assert_allclose(A.prime_from_value(fun(s), offset, scale), prime(s), rtol=1e-12)
    assert A.SQUASH_1997.h == A.H_1997 and A.SQUASH_LOGISTIC_IDENTITY.h is None  # 2a/2b: h is the identity
    assert A.SQUASH_LOGISTIC_IDENTITY.g == A.LOGISTIC  # 2a/2b: g is the logistic function
    value, prime = A.tanh_affine_and_prime(s, *A.SQUASH_1997.g)
    np.testing.assert_allclose(value, A.g(s))
    np.testing.assert_allclose(prime, A.g_prime(s))
