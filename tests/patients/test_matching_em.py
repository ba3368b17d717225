"""The matcher's EM (issue #17): recovers known m and u from synthetic comparison vectors, trains on
records, stores and serves the model, and comparisons generalize (nicknames dataset, addresses, dates)."""

import datetime as dt
import json

import numpy as np
import pytest

from clinicdesk.patients import matching_model
from clinicdesk.patients.matching import (
    Person,
    are_nicknames,
    compare_address,
    compare_dob,
    compare_postal_code,
    normalize_address,
    score,
)
from clinicdesk.patients.matching_em import FIELDS, LEVELS, MISSING, estimate, train


def _synthetic(n: int, prior: float, m: dict, u: dict, missing: float, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < prior
    columns = []
    for name in FIELDS:
        levels = LEVELS[name]
        pm = np.array([m[name][level] for level in levels])
        pu = np.array([u[name][level] for level in levels])
        col = np.where(is_match, rng.choice(len(levels), n, p=pm / pm.sum()),
                       rng.choice(len(levels), n, p=pu / pu.sum()))
        col = np.where(rng.random(n) < missing, MISSING, col)
        columns.append(col)
    return np.stack(columns, axis=1).astype(np.int16), is_match


def _true_parameters() -> tuple[dict, dict]:
    m, u = {}, {}
    for name, levels in LEVELS.items():
        k = len(levels)
        mv = np.linspace(1.0, 0.2, k) ** 3
        mv[0] *= 8
        uv = np.linspace(0.2, 1.0, k) ** 3
        uv[-1] *= 8
        m[name] = dict(zip(levels, mv / mv.sum(), strict=True))
        u[name] = dict(zip(levels, uv / uv.sum(), strict=True))
    return m, u


def test_em_recovers_known_m_u_and_prior():
    m, u = _true_parameters()
    vectors, is_match = _synthetic(40_000, 0.2, m, u, missing=0.15)
    m_est, u_est, prior = estimate(vectors)
    assert prior == pytest.approx(is_match.mean(), abs=0.01)
    for i, name in enumerate(FIELDS):
        for j, level in enumerate(LEVELS[name]):
            assert m_est[i][j] == pytest.approx(m[name][level], abs=0.02), (name, level)
            assert u_est[i][j] == pytest.approx(u[name][level], abs=0.02), (name, level)


def test_em_with_fixed_u_and_ignored_fields():
    m, u = _true_parameters()
    vectors, _ = _synthetic(30_000, 0.1, m, u, missing=0.0, seed=8)
    fixed = [np.array([u[name][level] for level in LEVELS[name]]) for name in FIELDS]
    m_est, u_est, prior = estimate(vectors, fix_u=fixed, ignore=("birth_date",))
    assert prior == pytest.approx(0.1, abs=0.01)
    assert u_est[FIELDS.index("phone")] == pytest.approx(fixed[FIELDS.index("phone")])
    phone = FIELDS.index("phone")
    assert m_est[phone][0] == pytest.approx(m["phone"]["exact"], abs=0.02)


def _people(n: int, seed: int = 4) -> list[Person]:
    rng = np.random.default_rng(seed)
    family = ["Smith", "Nguyen", "Garcia", "Okafor", "Haddad", "Kowalski", "Tanaka", "Brown", "Silva", "Rossi"]
    given = ["Ana", "Ben", "Chloe", "Dmitri", "Eve", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kim", "Lea"]
    people = []
    for ref in range(n):
        people.append(Person.of(
            family_name=f"{rng.choice(family)}{rng.integers(0, 40)}" if ref % 7 else str(rng.choice(family)),
            given_name=str(rng.choice(given)),
            birth_date=dt.date(1940, 1, 1) + dt.timedelta(int(rng.integers(0, 25000))),
            sex=str(rng.choice(["female", "male"])), phone=f"555{rng.integers(1000000, 9999999)}",
            address_line=f"{rng.integers(1, 999)} Main Street", postal_code=f"{rng.integers(10000, 99999)}", ref=ref))
    for ref in range(n, n + n // 10):  # second charts with the phone left out
        source = people[ref - n]
        people.append(Person(**{**source.__dict__, "phone": "", "ref": ref}))
    return people


def test_train_stores_a_model_the_scorer_reads(settings, tmp_path):
    settings.MATCHING_MODEL_PATH = tmp_path / "matching" / "model.json"
    people = _people(400)
    model = train(people)
    assert model.records == len(people) and model.pairs > 0
    assert model.weights["birth_date"]["exact"] > 5 and model.weights["phone"]["exact"] > 5
    assert model.tf["family"]["smith"] > model.tf["family"].get("okafor1", 0)
    matching_model.save(model)
    assert json.loads(matching_model.model_path().read_text())["records"] == len(people)
    assert matching_model.current().records == len(people)


def test_term_frequency_makes_a_common_name_count_for_less():
    model = matching_model.MatchModel(m=matching_model.DEFAULT_M, u=matching_model.DEFAULT_U,
                                      tf={"family": {"smith": 0.05, "okonkwo": 0.0002}}, records=5000)
    assert model.weight("family", "exact", "smith") < model.weight("family", "exact", "okonkwo")
    assert model.weight("family", "exact", "unseen") >= model.weight("family", "exact", "okonkwo")


def test_missing_values_weigh_nothing():
    a = Person.of(family_name="Tran", given_name="Minh", birth_date=dt.date(1970, 3, 4))
    b = Person.of(family_name="Tran", given_name="Minh", birth_date=None, phone="4135550101")
    result = score(a, b)
    assert result.levels["birth_date"] == "missing" and "birth_date" not in result.parts
    assert result.levels["phone"] == "missing" and "phone" not in result.parts


def test_nicknames_come_from_the_dataset():
    assert are_nicknames("bill", "william") and are_nicknames("peggy", "margaret")
    assert are_nicknames("bill", "will")  # both nicknames of William
    assert not are_nicknames("joshua", "joseph")


def test_addresses_are_normalized_with_usps_abbreviations():
    assert normalize_address("14 Oak Street, Apartment 4B") == normalize_address("14 oak st #4b")
    assert normalize_address("200 North Maple Avenue Unit 3") == normalize_address("200 N Maple Ave Apt 3")
    a = Person.of(family_name="X", given_name="Y", birth_date=None, address_line="14 Oak Street Apt 4")
    b = Person.of(family_name="X", given_name="Y", birth_date=None, address_line="14 Oak St Apt 5")
    assert compare_address(a, b) == "different"  # another flat in the same building
    c = Person.of(family_name="X", given_name="Y", birth_date=None, address_line="14 Oak Stret")
    assert compare_address(a, c) == "close"


def test_dates_transposed_partial_and_postcodes_near():
    a = Person.of(family_name="X", given_name="Y", birth_date=dt.date(1980, 4, 9), postal_code="01103")
    assert compare_dob(a, Person.of(family_name="X", given_name="Y", birth_date=dt.date(1980, 9, 4))) == "transposed"
    assert compare_dob(a, Person.of(family_name="X", given_name="Y", birth_date="1980")) == "partial"
    assert compare_dob(a, Person.of(family_name="X", given_name="Y", birth_date="1980-05")) == "different"
    assert compare_postal_code(a, Person.of(family_name="X", given_name="Y", birth_date=None,
                                            postal_code="01109")) == "near"


def test_swapped_first_and_last_names_still_match():
    a = Person.of(family_name="Nguyen", given_name="Thanh", birth_date=dt.date(1985, 2, 3), phone="4135550101")
    b = Person.of(family_name="Thanh", given_name="Nguyen", birth_date=dt.date(1985, 2, 3), phone="4135550101")
    result = score(a, b)
    assert result.swapped and result.likely and not result.certain


def test_training_on_charts_without_duplicates_keeps_the_shipped_m():
    people = _people(400)[:400]  # no second charts: nothing for EM to find
    model = train(people)
    assert model.m == {name: dict(levels) for name, levels in matching_model.DEFAULT_M.items()}
    assert "shipped m for" in model.source
    assert model.weights["birth_date"]["exact"] > 5
