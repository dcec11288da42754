"""Hostile primitive values: strings with any code point, integers of any size, datetimes
(and their ISO 8601 texts) at the edges of what Python and GraphQL can hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from tests.fuzz.seeds import seeded_ids

MAX_SAFE_INTEGER = 2**53 - 1

#: Characters that mean something in a URL, a header or a JSON document.
_MEANINGFUL = "/\\?#%.:;@&=+ \t\r\n\x00\x7f\u0085\u2028\ufeff\"'"


def wild_characters() -> st.SearchStrategy[str]:
    return st.one_of(
        st.characters(),
        st.characters(categories=["Cs"]),
        st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]),
        st.sampled_from(_MEANINGFUL),
    )


def wild_texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any Python string: lone surrogates, controls and URL-significant characters included,
    plus the sandbox's own ids and the path segments URL normalisation removes."""
    return st.one_of(
        # A list of characters, not `st.text`: text draws from the union of the
        # alphabets, where the few surrogates and controls would hardly ever appear.
        st.lists(wild_characters(), max_size=max_size).map("".join),
        st.sampled_from([*seeded_ids(), ".", "..", "", " ", "a/b", "a?b", "a#b", "%2F", "x" * 300]),
        st.uuids(version=4).map(str),
        st.uuids().map(lambda uuid: str(uuid).upper()),
    )


def huge_integers() -> st.SearchStrategy[int]:
    edges = [0, -1, 1, 2**31 - 1, 2**31, 2**53 - 1, 2**53, 2**63, -(2**63) - 1, 10**400]
    return st.one_of(st.integers(), st.sampled_from(edges))


#: Fixed offsets up to a minute short of a day either way, the most `datetime` allows.
EXTREME_OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def odd_datetimes() -> st.SearchStrategy[datetime]:
    """Naive and aware datetimes over the whole range, with extreme offsets."""
    edges = [
        datetime.min,
        datetime.max,
        datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
        datetime(2099, 1, 1, 9, tzinfo=UTC),
    ]
    return st.one_of(
        st.datetimes(),
        st.datetimes(timezones=EXTREME_OFFSETS),
        st.datetimes(min_value=datetime(2100, 1, 1), timezones=EXTREME_OFFSETS),
        st.sampled_from(edges),
    )


def safe_ints() -> st.SearchStrategy[int]:
    """Mostly `SafeInt`'s range, with its edges, and sometimes far outside it."""
    edges = [0, -1, 1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, 2**63, -(2**64)]
    return st.one_of(
        st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER), st.sampled_from(edges), st.integers()
    )


_EDGE_DATETIMES = [
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59.999999+23:59",
    "2099-01-01T09:00:00Z",
    "2099-01-01T09:00:00",
    "1970-01-01T00:00:00+00:00",
    "2099-02-30T00:00:00Z",
    "2099-01-01T24:00:00Z",
    "",
]


def datetime_texts() -> st.SearchStrategy[str]:
    """ISO 8601 texts with any offset, naive ones, edges of `datetime`, and junk."""
    aware = st.datetimes(timezones=EXTREME_OFFSETS).map(datetime.isoformat)
    future = st.datetimes(
        min_value=datetime(2100, 1, 1), max_value=datetime(2200, 1, 1), timezones=EXTREME_OFFSETS
    ).map(lambda moment: moment.isoformat().replace("+00:00", "Z"))
    naive = st.datetimes().map(datetime.isoformat)
    return st.one_of(aware, future, naive, st.sampled_from(_EDGE_DATETIMES), st.text(max_size=40))
