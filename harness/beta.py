"""The beta distribution's quantile, for Jeffreys intervals, without SciPy.

Why here and not SciPy: archbench needs one function of it (the quantile of a beta
distribution, to put a Jeffreys interval on a proportion of 0% or 100%), and SciPy would be
a heavy dependency for that. The regularised incomplete beta function I_x(a, b) is
evaluated with its continued fraction (modified Lentz's method, as in Numerical Recipes,
section 6.4), which converges fast on the side of the mean it is used on; the other side
comes from the symmetry I_x(a, b) = 1 - I_{1-x}(b, a). The quantile inverts that by
bisection: I_x is increasing in x, so bisection cannot fail, and 100 halvings of [0, 1]
reach the precision of a double. tests/test_beta.py checks both against closed forms and
against SciPy's values.
"""

from __future__ import annotations

import math

_TINY = 1e-300
_EPS = 1e-15
_MAX_TERMS = 1000


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), by the modified Lentz method."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            step = d * c
            h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b): the beta(a, b) distribution's
    cumulative probability at x (a, b > 0)."""
    if a <= 0.0 or b <= 0.0:
        raise ValueError(f"betainc needs a, b > 0, got a={a}, b={b}")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on this side
        return front * _continued_fraction(a, b, x) / a
    return 1.0 - front * _continued_fraction(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = q: the q-quantile of the beta(a, b) distribution."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"a quantile needs 0 <= q <= 1, got {q}")
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            break
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def jeffreys_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Jeffreys interval of a proportion: the central `level` quantiles of
    Beta(x + 1/2, n - x + 1/2), the posterior under the Jeffreys prior.

    With Brown, Cai and DasGupta's boundary rule ("Interval Estimation for a Binomial
    Proportion", 2001): at x = 0 the lower end is 0, at x = n the upper end is 1, so the
    interval holds the observed proportion. Why Jeffreys for 0% and 100%: a bootstrap
    of outcomes that are all the same can only return that value, a point that claims
    certainty no finite sample gives; Jeffreys's interval has near-nominal coverage for
    small n and says how far from 100% the true rate could still be."""
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"a proportion needs 0 <= successes <= n and n >= 1, got {successes}/{n}")
    tail = (1.0 - level) / 2.0
    a, b = successes + 0.5, n - successes + 0.5
    lo = 0.0 if successes == 0 else beta_quantile(tail, a, b)
    hi = 1.0 if successes == n else beta_quantile(1.0 - tail, a, b)
    return lo, hi
