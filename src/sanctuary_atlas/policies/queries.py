"""Questions asked of the registry: what was in force here on this day, since when, where.

A jurisdiction inherits the entries of the places that contain it: a city sees its own
entries, those of its counties and those of its state; a county its own and its state's. Every
answer is a tidy Polars frame with the source of each entry.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from sanctuary_atlas.policies.curated import place_key
from sanctuary_atlas.policies.jurisdictions import (
    all_states,
    county_by_name,
    county_index,
    state_for,
)
from sanctuary_atlas.policies.model import JurisdictionLevel, PolicyKind
from sanctuary_atlas.store import Store

ENTRY_COLUMNS = (
    "jurisdiction_level, jurisdiction_fips, jurisdiction_name, kind, effective_from, "
    "effective_to, date_basis, description, source_title, source_publisher, source_date, "
    "source_address, uncertainty, origin, agency, policy_id, state_fips"
)
_IN_FORCE = "effective_from <= ? AND (effective_to IS NULL OR effective_to >= ?)"


class UnknownJurisdictionError(LookupError):
    """A jurisdiction the registry and the geography tables do not know."""


class UnknownKindError(ValueError):
    """A kind (or kind pattern) that matches nothing in the closed vocabulary."""


@dataclass(frozen=True)
class Jurisdiction:
    level: JurisdictionLevel
    fips: str
    name: str
    state_fips: str
    county_fips: tuple[str, ...]  # a place: the counties it lies in; a county: itself


def kinds_matching(pattern: str | None) -> list[str]:
    """The kinds a name or glob (``287g_*``) names; every kind for None."""
    kinds = [str(kind) for kind in PolicyKind]
    if pattern is None:
        return kinds
    found = [kind for kind in kinds if fnmatch.fnmatchcase(kind, pattern)]
    if not found:
        raise UnknownKindError(f"no policy kind matches {pattern!r}; kinds are {', '.join(kinds)}")
    return found


def _place(
    store: Store, fips: str | None, name: str | None, state_fips: str
) -> Jurisdiction | None:
    rows = store.rows(
        "SELECT DISTINCT jurisdiction_fips, jurisdiction_name, county_fips FROM policies "
        "WHERE jurisdiction_level = 'place' AND jurisdiction_fips IS NOT NULL AND state_fips = ?",
        [state_fips],
    )
    for place_fips, place_name, counties in rows:
        if place_fips == fips or (name and place_key(place_name) == place_key(name)):
            return Jurisdiction(
                JurisdictionLevel.PLACE, place_fips, place_name, state_fips, tuple(counties)
            )
    return None


def _county(fips: str) -> Jurisdiction | None:
    known = county_index().get(fips)
    if known is None:
        return None
    return Jurisdiction(
        JurisdictionLevel.COUNTY, fips, f"{known[0]}, {known[1]}", fips[:2], (fips,)
    )


def resolve_jurisdiction(store: Store, text: str) -> Jurisdiction:
    """A jurisdiction from a FIPS code, a state, "Cook County, IL" or "Boston, MA"."""
    wanted = text.strip()
    state = state_for(wanted)
    if state is not None:
        return Jurisdiction(JurisdictionLevel.STATE, state[0], state[2], state[0], ())
    found: Jurisdiction | None = None
    if re.fullmatch(r"\d{5}", wanted):
        found = _county(wanted)
    elif re.fullmatch(r"\d{7}", wanted):
        found = _place(store, wanted, None, wanted[:2])
    elif "," in wanted:
        name, _, state_text = wanted.rpartition(",")
        state = state_for(state_text)
        if state is not None:
            # A registry place first: "San Francisco, CA" is the city (and county) whose
            # ordinances the registry holds; "Cook County, IL" names no place.
            found = _place(store, None, name, state[0])
            county = county_by_name(name, state[0]) if found is None else None
            found = _county(county) if county else found
    if found is None:
        raise UnknownJurisdictionError(
            f"unknown jurisdiction {text!r}: give a state ('IL', 'Illinois'), a county "
            "('Cook County, IL' or FIPS '17031') or a place in the registry ('Chicago, IL' or "
            "Census place code '1714000')"
        )
    return found


def _scope_sql(where: Jurisdiction) -> tuple[str, list[object]]:
    """SQL selecting the entries that apply at ``where``, and the role each plays there."""
    applies_as = (
        "CASE WHEN jurisdiction_fips = ? AND jurisdiction_level = ? THEN 'own' "
        "WHEN jurisdiction_level = 'state' THEN 'state' "
        "WHEN jurisdiction_level = 'place' THEN 'place_within' ELSE 'county' END"
    )
    # A county also shows the entries of places inside it (labelled 'place_within'): for a
    # consolidated city-county such as San Francisco they are the county's own policies.
    condition = (
        "((jurisdiction_fips = ? AND jurisdiction_level = ?) "
        "OR (jurisdiction_level = 'state' AND jurisdiction_fips = ?) "
        "OR (jurisdiction_level = 'county' AND list_contains(?::VARCHAR[], jurisdiction_fips)) "
        "OR (? AND jurisdiction_level = 'place' AND list_contains(county_fips, ?)))"
    )
    counties = [c for c in where.county_fips if c != where.fips]
    is_county = where.level is JurisdictionLevel.COUNTY
    params: list[object] = [where.fips, str(where.level)]
    params += [where.fips, str(where.level), where.state_fips, counties, is_county, where.fips]
    return (
        f"SELECT {applies_as} AS applies_as, {ENTRY_COLUMNS} FROM policies WHERE {condition}",
        params,
    )


_ORDER = (
    " ORDER BY CASE applies_as WHEN 'own' THEN 0 WHEN 'place_within' THEN 1 "
    "WHEN 'county' THEN 2 ELSE 3 END, "
    "effective_from, kind, jurisdiction_name, policy_id"
)


def policies_at(store: Store, where: Jurisdiction, day: date) -> pl.DataFrame:
    """Every entry in force at ``where`` on ``day``, its own and those it inherits."""
    sql, params = _scope_sql(where)
    return store.frame(f"{sql} AND {_IN_FORCE}{_ORDER}", [*params, day, day])


def policy_timeline(store: Store, where: Jurisdiction) -> pl.DataFrame:
    """Every entry that ever applied at ``where``, oldest first."""
    sql, params = _scope_sql(where)
    return store.frame(
        # policy_id last: entries of one day and kind (the DHS list's places) in a fixed order
        f"SELECT * FROM ({sql}) ORDER BY effective_from, effective_to NULLS LAST, kind, "
        "CASE jurisdiction_level WHEN 'state' THEN 0 WHEN 'county' THEN 1 ELSE 2 END, "
        "jurisdiction_name, policy_id",
        params,
    )


def list_policies(store: Store, kind: str | None = None, day: date | None = None) -> pl.DataFrame:
    """Entries of the kinds ``kind`` names (a glob), in force on ``day`` if given."""
    sql = f"SELECT {ENTRY_COLUMNS} FROM policies WHERE list_contains(?::VARCHAR[], kind)"
    params: list[object] = [kinds_matching(kind)]
    if day is not None:
        sql += f" AND {_IN_FORCE}"
        params += [day, day]
    return store.frame(
        sql + " ORDER BY kind, state_fips, jurisdiction_name, effective_from", params
    )


def in_force_by_month(store: Store, kind: str, start: date, end: date) -> pl.DataFrame:
    """Number of entries of each kind matching ``kind`` in force on any day of each month."""
    return store.frame(
        "WITH months AS (SELECT CAST(m AS DATE) AS month FROM range(CAST(? AS DATE), "
        "CAST(? AS DATE) + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS r(m)) "
        "SELECT month, kind, count(p.policy_id) AS entries FROM months "
        "JOIN policies p ON list_contains(?::VARCHAR[], p.kind) "
        "AND p.effective_from <= last_day(month) "
        "AND (p.effective_to IS NULL OR p.effective_to >= month) "
        "GROUP BY ALL ORDER BY month, kind",
        [start.replace(day=1), end, kinds_matching(kind)],
    )


PANEL_RULES = ("any_day", "month_start")
_ROUTE_COLUMNS = "u.unit, s.kind, s.effective_from, s.effective_to"
# How an entry reaches a unit of the panel, and the suffix of its indicator column: a county's
# own entries (no suffix), its state's (``__state``), those of places inside it (``__place``).
_PANEL_ROUTES = {
    "own": (
        f"SELECT {_ROUTE_COLUMNS} FROM units u JOIN spans s "
        "ON s.jurisdiction_level = ? AND s.jurisdiction_fips = u.unit"
    ),
    "state": (
        f"SELECT {_ROUTE_COLUMNS} FROM units u JOIN spans s "
        "ON s.jurisdiction_level = 'state' AND s.jurisdiction_fips = substr(u.unit, 1, 2)"
    ),
    "place": (
        f"SELECT {_ROUTE_COLUMNS} FROM units u JOIN (SELECT *, unnest(county_fips) AS in_county "
        "FROM spans WHERE jurisdiction_level = 'place') s ON s.in_county = u.unit"
    ),
}


def _panel_units(
    level: JurisdictionLevel, jurisdictions: list[str] | None, store: Store
) -> list[str]:
    if jurisdictions is not None:
        return sorted(set(jurisdictions))
    if level is JurisdictionLevel.STATE:
        return [state[0] for state in all_states()]
    if county_index():
        return sorted(county_index())
    rows = store.rows(
        "SELECT DISTINCT jurisdiction_fips FROM policies "
        "WHERE jurisdiction_level = 'county' AND jurisdiction_fips IS NOT NULL"
    )
    return sorted(str(row[0]) for row in rows)


def policy_panel(
    store: Store,
    start: date,
    end: date,
    *,
    level: JurisdictionLevel | str = JurisdictionLevel.COUNTY,
    jurisdictions: list[str] | None = None,
    kinds: str | list[str] | None = None,
    rule: str = "any_day",
) -> pl.DataFrame:
    """A jurisdiction x month panel of policy indicators, for the measures layer.

    One row per jurisdiction (``level``: county or state; every one the geography layer knows
    unless ``jurisdictions`` is given) and month from ``start`` to ``end``. For each kind, a
    Boolean column: the jurisdiction's own entry is in force; ``<kind>__state``: an entry of its
    state is; ``<kind>__place`` (counties): an entry of a place inside it is. ``rule``:
    ``any_day`` (in force on any day of the month) or ``month_start`` (on its first day).
    """
    level = JurisdictionLevel(level)
    if level is JurisdictionLevel.PLACE:
        raise ValueError("policy_panel works at county or state level; places have no full list")
    if rule not in PANEL_RULES:
        raise ValueError(f"unknown rule {rule!r}: expected one of {', '.join(PANEL_RULES)}")
    wanted = sorted(
        {
            k
            for p in ([kinds] if isinstance(kinds, str) or kinds is None else kinds)
            for k in kinds_matching(p)
        }
    )
    units = _panel_units(level, jurisdictions, store)
    routes = ["own", "state", "place"] if level is JurisdictionLevel.COUNTY else ["own"]
    starts = (
        "p.effective_from <= month"
        if rule == "month_start"
        else "p.effective_from <= last_day(month)"
    )
    union = " UNION ALL ".join(
        f"SELECT '{route}' AS route, * FROM ({_PANEL_ROUTES[route]})" for route in routes
    )
    params: list[object] = [units, wanted, start.replace(day=1), end, str(level)]
    hits = store.frame(
        "WITH units AS (SELECT unnest(?::VARCHAR[]) AS unit), "
        "spans AS (SELECT kind, jurisdiction_level, jurisdiction_fips, county_fips, "
        "effective_from, effective_to FROM policies WHERE list_contains(?::VARCHAR[], kind)), "
        "months AS (SELECT CAST(m AS DATE) AS month FROM range(CAST(? AS DATE), "
        "CAST(? AS DATE) + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS r(m)), "
        f"routed AS ({union}) "
        "SELECT DISTINCT p.unit AS jurisdiction_fips, month, "
        "p.kind || CASE p.route WHEN 'own' THEN '' ELSE '__' || p.route END AS indicator "
        f"FROM routed p JOIN months ON {starts} "
        "AND (p.effective_to IS NULL OR p.effective_to >= month)",
        params,
    )
    months = pl.date_range(start.replace(day=1), end, interval="1mo", eager=True).alias("month")
    base = pl.DataFrame({"jurisdiction_fips": units}).join(months.to_frame(), how="cross")
    columns = [
        f"{kind}{suffix}" for kind in wanted for suffix in ("", "__state", "__place")[: len(routes)]
    ]
    if hits.is_empty():
        return base.with_columns(pl.lit(False).alias(c) for c in columns)
    wide = hits.with_columns(pl.lit(True).alias("in_force")).pivot(
        on="indicator", index=["jurisdiction_fips", "month"], values="in_force"
    )
    panel = base.join(wide, on=["jurisdiction_fips", "month"], how="left")
    return panel.with_columns(
        (pl.col(c).fill_null(False) if c in panel.columns else pl.lit(False)).alias(c)
        for c in columns
    ).select("jurisdiction_fips", "month", *columns)
