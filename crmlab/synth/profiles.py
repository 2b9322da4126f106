"""Customer profiles: the fields a customer information base holds.

Chapter 1 (customer information, 客户信息). Individual customers get basic data,
education, career, income, household and preferences; business customers get the
CRM record of the course (ownership type, industry, scale, credit grade 1–5 stars,
settlement terms, customer category...). All columns are drawn at once with numpy
and pyarrow string kernels, never one customer at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmlab._rng import RandomState, as_generator

__all__ = ["SOURCE_CHANNELS", "business_profiles", "individual_profiles"]

#: Where customers come from (客户来源): the channels of the course's CRM record.
SOURCE_CHANNELS = ("web ad", "trade fair", "referral", "phone", "e-mail", "newspaper", "directory", "friend")
_CHANNEL_WEIGHTS = {"retail": (0.38, 0.04, 0.0, 0.12, 0.22, 0.10, 0.14, 0.0),
                    "b2b": (0.20, 0.28, 0.0, 0.18, 0.14, 0.05, 0.15, 0.0)}

_CITIES = (  # city, region, relative weight, postcode prefix
    ("Beijing", "North China", 9, "100"), ("Tianjin", "North China", 5, "300"),
    ("Shijiazhuang", "North China", 3, "050"), ("Shanghai", "East China", 10, "200"),
    ("Hangzhou", "East China", 5, "310"), ("Nanjing", "East China", 4, "210"), ("Jinan", "East China", 3, "250"),
    ("Guangzhou", "South China", 7, "510"), ("Shenzhen", "South China", 7, "518"), ("Xiamen", "South China", 2, "361"),
    ("Wuhan", "Central China", 5, "430"), ("Changsha", "Central China", 3, "410"),
    ("Zhengzhou", "Central China", 4, "450"), ("Chengdu", "Southwest", 7, "610"), ("Chongqing", "Southwest", 7, "400"),
    ("Kunming", "Southwest", 3, "650"), ("Xi'an", "Northwest", 4, "710"), ("Lanzhou", "Northwest", 2, "730"),
    ("Shenyang", "Northeast", 3, "110"), ("Harbin", "Northeast", 3, "150"),
)
_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu",
             "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng")
_FEMALE = ("Fang", "Min", "Jing", "Yan", "Xiu", "Juan", "Ying", "Na", "Ting", "Xue", "Lan", "Mei", "Qian", "Yu",
           "Li", "Hong", "Xia", "Yun", "Lin", "Jia")
_MALE = ("Wei", "Qiang", "Lei", "Jun", "Yong", "Jie", "Tao", "Ming", "Chao", "Hao", "Peng", "Bin", "Gang", "Hui",
         "Long", "Kai", "Bo", "Feng", "Yang", "Jian")
_STREETS = ("Renmin Road", "Jiefang Road", "Zhongshan Road", "Jianshe Road", "Heping Street", "Xinhua Road",
            "Changjiang Road", "Dongfeng Road", "Huaihai Road", "Nanjing Road", "Wenhua Street", "Binhe Avenue")
EDUCATION = ("primary", "secondary", "vocational", "bachelor", "master", "doctorate")
INCOME_BANDS = ("low", "lower-middle", "middle", "upper-middle", "high")
_OCCUPATIONS = ("office worker", "manager", "professional", "civil servant", "teacher", "sales", "technician",
                "self-employed", "factory worker", "healthcare worker")
_CONTACT = ("e-mail", "phone", "SMS", "messaging app", "post")
_WORDS = ("Huaxin", "Jinda", "Hongyuan", "Tianrun", "Xinghai", "Zhongtai", "Dongfang", "Changsheng", "Hengtong",
          "Ruifeng", "Yongkang", "Baoli", "Kaiyuan", "Shengda", "Jiahe", "Longteng", "Fuxing", "Mingyang", "Anda",
          "Tongda", "Haoyun", "Xinyuan", "Huamei", "Guangming", "Jinqiao")
_INDUSTRIES = ("manufacturing", "retail & distribution", "chemicals", "construction", "healthcare", "education",
               "government", "logistics", "IT services", "food processing")
_OWNERSHIP = ("state-owned", "private", "joint venture", "wholly foreign-owned", "partnership")
_POSITIONS = ("leader", "influential", "average", "no influence")
_SETTLEMENT = ("cash on delivery", "pay on invoice", "net 30 days", "net 60 days", "net 90 days")
_SCALES = ("micro", "small", "medium", "large")


def _cat(codes: np.ndarray, categories: tuple[str, ...], *, ordered: bool = False) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=list(categories), ordered=ordered)


def _choice(rng: np.random.Generator, n: int, weights: tuple[float, ...] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right").clip(0, len(w) - 1)


def _str(array: pa.Array) -> pd.arrays.ArrowStringArray:
    return pd.array(array, dtype="str")


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")


def _location(rng: np.random.Generator, n: int) -> dict[str, object]:
    city = _choice(rng, n, tuple(c[2] for c in _CITIES))
    regions = tuple(dict.fromkeys(c[1] for c in _CITIES))
    region = np.array([regions.index(c[1]) for c in _CITIES])[city]
    cities = pa.array([c[0] for c in _CITIES])
    streets = pa.array(_STREETS)
    number = pc.cast(pa.array(rng.integers(1, 400, n)), pa.string())
    city_arr = pc.take(cities, pa.array(city))
    address = pc.binary_join_element_wise(number, " ", pc.take(streets, pa.array(rng.integers(0, len(_STREETS), n))),
                                          ", ", city_arr, "")
    prefix = pc.take(pa.array([c[3] for c in _CITIES]), pa.array(city))
    postcode = pc.binary_join_element_wise(prefix, _digits(rng.integers(0, 1000, n), 3), "")
    return {"city": _cat(city, tuple(c[0] for c in _CITIES)), "region": _cat(region, regions),
            "address": _str(address), "postcode": _str(postcode)}


def _phone(rng: np.random.Generator, n: int, prefix: str = "+86 1") -> pa.Array:
    return pc.binary_join_element_wise(prefix, _digits(rng.integers(3 * 10**9, 10**10, n), 10), "")


def individual_profiles(
    ids: np.ndarray, end: pd.Timestamp, *, random_state: RandomState = None
) -> dict[str, object]:
    """Demographic and contact columns of individual customers (dict of column arrays).

    Chapter 1.

    Parameters
    ----------
    ids : numpy.ndarray
        Customer ids, one per customer.
    end : pandas.Timestamp
        End of the observation window: birth dates are drawn back from it.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    dict of str to array
        One array (or pandas categorical / string array) per profile column.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> fields = individual_profiles(np.arange(1, 4), pd.Timestamp("2024-12-31"), random_state=0)
    >>> [len(fields[k]) for k in ("name", "birth_date", "email")]
    [3, 3, 3]
    """
    rng = as_generator(random_state, caller="individual_profiles")
    n = ids.shape[0]
    female = rng.random(n) < 0.52
    given = np.where(female, rng.integers(0, len(_FEMALE), n), len(_FEMALE) + rng.integers(0, len(_MALE), n))
    surname = rng.integers(0, len(_SURNAMES), n)
    names = [f"{s} {g}" for s in _SURNAMES for g in (*_FEMALE, *_MALE)]  # lookup table, not per customer
    name_codes = surname * (len(_FEMALE) + len(_MALE)) + given
    # adults 18-85: fold the normal's tails back into the range (clipping would pile customers up at 18)
    age = rng.normal(41.0, 13.0, n)
    age = np.where(age < 18.0, 36.0 - age, age)
    age = np.clip(np.where(age > 85.0, 170.0 - age, age), 18.0, 85.0)
    birth = (end.to_datetime64().astype("datetime64[D]") - np.floor(age * 365.25).astype("timedelta64[D]"))
    age_years = np.floor(age).astype(np.int64)
    edu = _choice(rng, n, (0.06, 0.28, 0.22, 0.32, 0.10, 0.02))
    income_score = 0.55 * (edu - 2.5) / 1.2 + 0.25 * np.minimum(age - 22.0, 30.0) / 10.0 + rng.normal(0, 0.8, n)
    income = np.digitize(income_score, [-0.9, -0.2, 0.6, 1.4])
    occupation = _choice(rng, n, (0.18, 0.09, 0.12, 0.07, 0.06, 0.09, 0.09, 0.10, 0.12, 0.08))
    labels = np.array([*_OCCUPATIONS, "student", "retired"])
    occ = np.where(age < 23.0, len(_OCCUPATIONS), np.where(age >= 63.0, len(_OCCUPATIONS) + 1, occupation))
    lower_names = pa.array([n.lower().replace(" ", ".") for n in names])
    email = pc.binary_join_element_wise(pc.take(lower_names, pa.array(name_codes)),
                                        pc.cast(pa.array(ids), pa.string()), "@example.com", "")
    out: dict[str, object] = {
        "name": _cat(name_codes, tuple(names)),
        "gender": _cat(np.where(female, 0, 1), ("female", "male")),
        "birth_date": birth.astype("datetime64[ns]"),
        "age": age_years,
    }
    out.update(_location(rng, n))
    out.update({
        "education": _cat(edu, EDUCATION, ordered=True),
        "occupation": _cat(occ.astype(np.int64), tuple(labels)),
        "income_band": _cat(income, INCOME_BANDS, ordered=True),
        "household_size": 1 + _choice(rng, n, (0.18, 0.30, 0.28, 0.15, 0.06, 0.03)).astype(np.int64),
        "email": _str(email),
        "phone": _str(_phone(rng, n)),
        "preferred_contact_time": _cat(_choice(rng, n, (0.2, 0.25, 0.4, 0.15)),
                                       ("morning", "afternoon", "evening", "weekend")),
        "preferred_payment": _cat(_choice(rng, n, (0.55, 0.2, 0.18, 0.07)),
                                  ("mobile wallet", "debit card", "credit card", "cash")),
        "preferred_shopping_channel": _cat(_choice(rng, n, (0.45, 0.3, 0.25)), ("online", "in store", "app")),
        "contact_channel": _cat(_choice(rng, n, (0.3, 0.2, 0.2, 0.25, 0.05)), _CONTACT),
    })
    return out


def business_profiles(
    ids: np.ndarray, end: pd.Timestamp, credit_u: np.ndarray, *, random_state: RandomState = None
) -> dict[str, object]:
    """CRM record columns of business customers (dict of column arrays).

    Chapter 1.

    Parameters
    ----------
    ids : numpy.ndarray
        Customer ids, one per customer.
    end : pandas.Timestamp
        End of the observation window (the same signature as :func:`individual_profiles`;
        no business column depends on it today).
    credit_u : numpy.ndarray
        Uniforms on (0, 1), one per customer (coupled to loyalty), that set the 1–5 star credit grade.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    dict of str to array
        One array (or pandas categorical / string array) per CRM record column.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> credit = np.array([0.1, 0.5, 0.9])
    >>> fields = business_profiles(np.arange(1, 4), pd.Timestamp("2024-12-31"), credit, random_state=0)
    >>> [len(fields[k]) for k in ("company_name", "credit_grade")]
    [3, 3]
    """
    rng = as_generator(random_state, caller="business_profiles")
    n = ids.shape[0]
    words = len(_WORDS)
    industry = _choice(rng, n, (0.22, 0.16, 0.08, 0.1, 0.08, 0.08, 0.05, 0.1, 0.08, 0.05))
    word = rng.integers(0, words * words, n)
    stem = [f"{a}{b.lower()}" if a != b else a for a in _WORDS for b in _WORDS]
    suffix = ("Manufacturing", "Trading", "Chemical", "Construction", "Medical", "Education Services",
              "Public Services", "Logistics", "Technology", "Foods")
    company_names = pc.binary_join_element_wise(pc.take(pa.array(stem), pa.array(word)), " ",
                                                pc.take(pa.array(suffix), pa.array(industry)), " Co., Ltd.", "")
    staff = np.maximum(1, np.rint(np.exp(rng.normal(3.6, 1.5, n)))).astype(np.int64)
    scale = np.digitize(staff, [10, 100, 1000])
    years = np.maximum(1, np.rint(rng.gamma(2.5, 5.0, n))).astype(np.int64)
    position_score = 0.6 * (scale - 1.5) + 0.02 * years + rng.normal(0, 0.8, n)
    position = 3 - np.digitize(position_score, [-0.6, 0.4, 1.3])
    credit = 1 + np.digitize(credit_u + 0.04 * np.minimum(years, 30) / 30.0, [0.08, 0.25, 0.55, 0.85])
    settlement = np.clip(4 - (credit - 1) + rng.integers(-1, 2, n), 0, 4)
    slug = pc.utf8_lower(pc.take(pa.array(stem), pa.array(word)))
    contact_given = rng.integers(0, len(_FEMALE) + len(_MALE), n)
    contact_names = [f"{s} {g}" for s in _SURNAMES for g in (*_FEMALE, *_MALE)]
    contact = rng.integers(0, len(_SURNAMES), n) * (len(_FEMALE) + len(_MALE)) + contact_given
    idstr = pc.cast(pa.array(ids), pa.string())
    out: dict[str, object] = {
        "company_name": _str(company_names),
        "ownership_type": _cat(_choice(rng, n, (0.15, 0.55, 0.12, 0.08, 0.10)), _OWNERSHIP),
        "industry": _cat(industry, _INDUSTRIES),
    }
    out.update(_location(rng, n))
    out.update({
        "staff_count": staff,
        "scale_tier": _cat(scale, _SCALES, ordered=True),
        "years_in_business": years,
        "industry_position": _cat(position, _POSITIONS),
        "credit_grade": credit.astype(np.int64),
        "settlement_terms": _cat(settlement, _SETTLEMENT),
        "contact_person": _cat(contact, tuple(contact_names)),
        "phone": _str(_phone(rng, n, "+86 ")),
        "fax": _str(_phone(rng, n, "+86 ")),
        "email": _str(pc.binary_join_element_wise("sales", idstr, "@", slug, ".example.com", "")),
        "website": _str(pc.binary_join_element_wise("www.", slug, idstr, ".example.com", "")),
        "contact_channel": _cat(_choice(rng, n, (0.35, 0.45, 0.05, 0.1, 0.05)), _CONTACT),
        "agent": rng.random(n) < 0.25,
    })
    return out


def channel_weights(preset: str) -> tuple[float, ...]:
    """Source-channel weights of customers not acquired through referrals."""
    return _CHANNEL_WEIGHTS["b2b" if preset == "b2b" else "retail"]
