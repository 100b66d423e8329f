"""People in detention by facility and month, one release per facility-month.

Two releases count the people held per facility and day: UWCHR's headcount (2005-09 to
2024-01) and the Deportation Data Project's midnight count (2022-10 to 2026-03). Where both
cover a facility and month (October 2022 to January 2024), the release with more days on
which the facility held someone that month counts — the more complete record of that
facility-month — and on a tie the one whose coverage reaches later (the DDP's midnight count,
the count ICE's own statistics use). The other release's days for that facility-month are not
added: no person-day is counted twice. A user override (``prefer``) does not apply here.

A facility is placed by the facility list (``facilities.csv.gz``) or, for codes that list
lacks, by its name in ICE's facility tables (``releases.ddp_detention``).
"""

from __future__ import annotations

import polars as pl

from sanctuary_atlas.store import Store

_CHOSEN_FACILITY_MONTHS = """
    WITH per_release AS (
        SELECT h.release_id, h.facility_code, date_trunc('month', h.day)::DATE AS month,
               sum(h.people) AS person_days, count(*) FILTER (WHERE h.people > 0) AS held_days
        FROM detention_headcount h GROUP BY ALL
    )
    SELECT DISTINCT ON (p.facility_code, p.month) p.*
    FROM per_release p JOIN releases r USING (release_id)
    ORDER BY p.facility_code, p.month, p.held_days DESC, r.coverage_end DESC,
             p.release_id DESC"""

_FACILITY_PLACES = """
    SELECT DISTINCT ON (facility_code) * FROM detention_facilities
    ORDER BY facility_code, release_id"""

DETENTION_BASE = f"""
    SELECT c.month, coalesce(f.aor, 'UNKNOWN') AS aor, f.state AS state,
           f.county_fips AS county,
           sum(c.person_days)::DOUBLE / any_value(extract('day' FROM last_day(c.month)))
               AS detained_adp
    FROM ({_CHOSEN_FACILITY_MONTHS}) c
    LEFT JOIN ({_FACILITY_PLACES}) f USING (facility_code)
    GROUP BY ALL"""


def detention_placement(store: Store) -> pl.DataFrame:
    """month, share_in_county, share_in_state, share_in_aor, share_from_ddp: the share of
    each month's counted person-days the atlas could place, and the share the DDP release
    counts. Shares only: the counts themselves are published through the panel."""
    return store.frame(
        f"""SELECT c.month,
                   sum(c.person_days) FILTER (WHERE f.county_fips IS NOT NULL)
                       / sum(c.person_days) AS share_in_county,
                   sum(c.person_days) FILTER (WHERE f.state IS NOT NULL)
                       / sum(c.person_days) AS share_in_state,
                   sum(c.person_days) FILTER (WHERE f.aor IS NOT NULL)
                       / sum(c.person_days) AS share_in_aor,
                   coalesce(sum(c.person_days) FILTER (WHERE r.source_family = 'ddp-detention')
                       / sum(c.person_days), 0) AS share_from_ddp
            FROM ({_CHOSEN_FACILITY_MONTHS}) c
            JOIN releases r USING (release_id)
            LEFT JOIN ({_FACILITY_PLACES}) f USING (facility_code)
            GROUP BY c.month HAVING sum(c.person_days) > 0 ORDER BY c.month"""
    )
