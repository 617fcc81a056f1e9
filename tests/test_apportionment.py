"""Cost apportionment: exact, summing, order-independent (property-based)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from agreement_builder.apportionment import largest_remainder
from agreement_builder.formulas import apportion, exact_shares

FORCES = ["bedfordshire", "cambridgeshire", "hertfordshire"]


def independent_round(values: list[Fraction], total_units: int) -> list[int]:
    """A second, separate largest-remainder implementation (integers only) to check against."""
    floors = [int(v // 1) for v in values]
    rema = [v - f for v, f in zip(values, floors)]
    missing = total_units - sum(floors)
    chosen = sorted(range(len(values)), key=lambda i: (-rema[i], i))[:missing]
    return [f + (1 if i in chosen else 0) for i, f in enumerate(floors)]


def test_worked_example_nre_and_demand():
    shares = apportion("nre_and_demand", FORCES, Decimal("6250000.00"),
                       nre={"bedfordshire": Decimal("102400000"), "cambridgeshire": Decimal("129800000"), "hertfordshire": Decimal("176300000")},
                       demand={"bedfordshire": Decimal(3120), "cambridgeshire": Decimal(2890), "hertfordshire": Decimal(4410)},
                       weights={"nre": Decimal(50), "demand": Decimal(50)})
    # (0.5 * 102.4/408.5 + 0.5 * 3120/10420) = 0.27505...; computed by hand
    exact_b = Fraction(1, 2) * Fraction(1024, 4085) + Fraction(1, 2) * Fraction(3120, 10420)
    assert shares[0].exact == exact_b
    assert [s.percent for s in shares] == [Decimal("27.50"), Decimal("29.76"), Decimal("42.74")]
    assert sum(s.contribution for s in shares) == Decimal("6250000.00")


def test_equal_thirds_tie_goes_to_the_earlier_force():
    shares = apportion("equal", FORCES, Decimal("100.00"))
    assert [s.percent for s in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert [s.contribution for s in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_fixed_shares_are_taken_as_given():
    shares = apportion("fixed", FORCES, Decimal("2100000"),
                       shares={"bedfordshire": Decimal("28.50"), "cambridgeshire": Decimal("31.20"), "hertfordshire": Decimal("40.30")})
    assert [s.percent for s in shares] == [Decimal("28.50"), Decimal("31.20"), Decimal("40.30")]
    assert [s.contribution for s in shares] == [Decimal("598500.00"), Decimal("655200.00"), Decimal("846300.00")]


def test_largest_remainder_exact_total():
    out = largest_remainder({"a": Fraction(1, 7), "b": Fraction(2, 7), "c": Fraction(4, 7)}, Decimal("1.00"), Decimal("0.01"))
    assert out == {"a": Decimal("0.14"), "b": Decimal("0.29"), "c": Decimal("0.57")}


amounts = st.integers(min_value=0, max_value=10**11)
budgets = st.integers(min_value=1, max_value=10**12).map(lambda p: Decimal(p) / 100)


@st.composite
def scenario(draw):
    n = draw(st.integers(min_value=2, max_value=43))
    forces = [f"force_{i:02d}" for i in range(n)]
    nre = {f: Decimal(draw(amounts)) for f in forces}
    demand = {f: Decimal(draw(st.integers(min_value=0, max_value=10**6))) for f in forces}
    if sum(nre.values()) == 0:
        nre[forces[0]] = Decimal(1)
    if sum(demand.values()) == 0:
        demand[forces[-1]] = Decimal(1)
    w = draw(st.integers(min_value=0, max_value=100))
    formula = draw(st.sampled_from(["equal", "nre", "demand", "nre_and_demand"]))
    return forces, formula, nre, demand, {"nre": Decimal(w), "demand": Decimal(100 - w)}, draw(budgets)


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_shares_and_contributions_always_sum_exactly(case):
    forces, formula, nre, demand, weights, budget = case
    shares = apportion(formula, forces, budget, nre=nre, demand=demand, weights=weights)
    assert sum(s.percent for s in shares) == Decimal("100.00")
    assert sum(s.contribution for s in shares) == budget
    assert sum(s.exact for s in shares) == 1
    # each printed figure is within one unit of the exact value
    for s in shares:
        assert abs(Fraction(s.percent) - s.exact * 100) < Fraction(1, 100)
        assert abs(Fraction(s.contribution) - s.exact * Fraction(budget)) < Fraction(1, 100)
    # and agrees with an independent implementation
    pennies = independent_round([s.exact * Fraction(budget) * 100 for s in shares], int(budget * 100))
    assert [Decimal(p) / 100 for p in pennies] == [s.contribution for s in shares]
    hundredths = independent_round([s.exact * 10000 for s in shares], 10000)
    assert [Decimal(h) / 100 for h in hundredths] == [s.percent for s in shares]


@settings(max_examples=150, deadline=None)
@given(scenario(), st.randoms())
def test_results_do_not_depend_on_mapping_order(case, rnd):
    forces, formula, nre, demand, weights, budget = case
    keys = list(forces)
    rnd.shuffle(keys)
    shuffled_nre = {k: nre[k] for k in keys}
    shuffled_demand = {k: demand[k] for k in reversed(keys)}
    a = apportion(formula, forces, budget, nre=nre, demand=demand, weights=weights)
    b = apportion(formula, forces, budget, nre=shuffled_nre, demand=shuffled_demand, weights=weights)
    assert a == b


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10000), min_size=2, max_size=43), budgets)
def test_fixed_shares_summing_to_100(parts, budget):
    total = sum(parts)
    if total == 0:
        parts[0] = 1
        total = 1
    # turn arbitrary parts into shares with two decimals that sum to exactly 100.00
    forces = [f"f{i}" for i in range(len(parts))]
    rounded = largest_remainder({f: Fraction(p * 100, total) for f, p in zip(forces, parts)}, Decimal("100.00"), Decimal("0.01"))
    shares = apportion("fixed", forces, budget, shares=rounded)
    assert [s.percent for s in shares] == [rounded[f] for f in forces]
    assert sum(s.contribution for s in shares) == budget


def test_exact_shares_refuse_bad_inputs():
    import pytest
    from agreement_builder.apportionment import ApportionmentError
    with pytest.raises(ApportionmentError):
        exact_shares("nre", FORCES, nre={"bedfordshire": Decimal(0), "cambridgeshire": Decimal(0), "hertfordshire": Decimal(0)})
    with pytest.raises(ApportionmentError):
        exact_shares("fixed", FORCES, shares={"bedfordshire": Decimal(50), "cambridgeshire": Decimal(50), "hertfordshire": Decimal(1)})
