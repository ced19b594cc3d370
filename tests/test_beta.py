"""The beta distribution without SciPy: the incomplete beta function, its quantile and the
Jeffreys interval, checked against closed forms and against SciPy's values (computed with
scipy 1.17 and written down here: SciPy is not a dependency)."""

from __future__ import annotations

import math

import pytest

from harness.beta import beta_quantile, betainc, jeffreys_interval


@pytest.mark.parametrize("x", [0.0, 0.001, 0.1, 0.37, 0.5, 0.9, 0.999, 1.0])
def test_closed_forms(x: float) -> None:
    assert betainc(1.0, 1.0, x) == pytest.approx(x, abs=1e-13)  # uniform
    assert betainc(3.0, 1.0, x) == pytest.approx(x**3, abs=1e-13)  # I_x(a, 1) = x^a
    assert betainc(1.0, 4.0, x) == pytest.approx(1 - (1 - x) ** 4, abs=1e-13)
    arcsine = 2 / math.pi * math.asin(math.sqrt(x))  # Beta(1/2, 1/2)
    assert betainc(0.5, 0.5, x) == pytest.approx(arcsine, abs=1e-12)


@pytest.mark.parametrize("q", [0.001, 0.025, 0.3, 0.5, 0.975, 0.999])
def test_quantile_inverts_closed_forms(q: float) -> None:
    assert beta_quantile(q, 1.0, 1.0) == pytest.approx(q, abs=1e-12)
    assert beta_quantile(q, 2.5, 1.0) == pytest.approx(q ** (1 / 2.5), abs=1e-12)
    assert beta_quantile(q, 0.5, 0.5) == pytest.approx(math.sin(math.pi * q / 2) ** 2, abs=1e-12)
    for a, b in ((0.5, 12.5), (7.5, 3.5), (200.5, 0.5)):
        assert betainc(a, b, beta_quantile(q, a, b)) == pytest.approx(q, abs=1e-10)


@pytest.mark.parametrize(
    ("a", "b", "x", "want"),
    [
        (2.5, 3.5, 0.3, 0.29675298929566646),
        (0.5, 60.5, 0.01, 0.7288816845164208),
        (12.5, 0.5, 0.9, 0.10806237272416312),
        (100.5, 50.5, 0.66, 0.43513957544379034),
    ],
)
def test_betainc_matches_scipy(a: float, b: float, x: float, want: float) -> None:
    assert betainc(a, b, x) == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize(
    ("q", "a", "b", "want"),
    [
        (0.025, 0.5, 10.5, 4.7890433157581876e-05),
        (0.975, 0.5, 10.5, 0.21719626750921053),
        (0.025, 3.5, 4.5, 0.13886421910489025),
        (0.975, 3.5, 4.5, 0.7654987507479062),
        (0.025, 12.5, 0.5, 0.8146940616875149),
    ],
)
def test_quantile_matches_scipy(q: float, a: float, b: float, want: float) -> None:
    assert beta_quantile(q, a, b) == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_jeffreys_interval() -> None:
    lo, hi = jeffreys_interval(3, 7)  # Beta(3.5, 4.5)
    assert (lo, hi) == (pytest.approx(0.13886421910489025), pytest.approx(0.7654987507479062))
    # at 0% and 100%: a real interval, with its observed end at 0 or 1 (Brown, Cai, DasGupta)
    assert jeffreys_interval(0, 10) == (0.0, pytest.approx(0.21719626750921053))
    assert jeffreys_interval(12, 12) == (pytest.approx(0.8146940616875149), 1.0)
    # more tasks, a narrower interval
    assert jeffreys_interval(60, 60)[0] > jeffreys_interval(12, 12)[0]
    with pytest.raises(ValueError):
        jeffreys_interval(3, 2)
    with pytest.raises(ValueError):
        betainc(0.0, 1.0, 0.5)
