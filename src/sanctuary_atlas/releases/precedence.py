"""Release precedence: each (table, AOR, month) is counted from exactly one release.

Two releases can report the same events: the national ERO-LESA release holds every arrest in
the Seattle AOR, and the Seattle workbook (FOIA 2018-ICFO-36170) holds the Criminal Alien
Program's share of them again. Both stay in the store; the ``*_counted`` views keep, for each
(table, AOR, month), the rows of one release chosen by this default order:

1. a user override (``prefer``) covering that table, AOR and month;
2. a complete release over a partial one (a release limited to one program, such as the
   Seattle workbook's CAP-only sheets, never replaces a complete release's counts). Where
   only a partial release covers a cell, the cell is not counted unless the user prefers that
   release: counting the CAP share of one AOR beside complete counts elsewhere would read as
   a real difference between places;
3. what the releases hold: a release with markedly fewer events for the cell (under
   ``MARKEDLY_FEWER`` of the most any release of the same completeness holds) never replaces
   one with more — a truncated copy of a year claims the whole year but holds a few days;
4. a release covering every AOR over one covering a single AOR;
5. a release covering the month whole over one covering part of it;
6. the longer stated coverage;
7. the newer coverage end, then the later ingest.

A release "covers" a month when its stated period (banner or fiscal year) or its own rows
include it; a release covers the AORs its banner names, or every AOR when it names none. A
stated period that starts or ends inside a month covers that month only in part: such a
release never replaces one covering the month whole (the panel gives a month no release
covers whole no figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from sanctuary_atlas.store import Store

EVENT_TABLES = ("arrests", "encounters", "removals", "detainers", "book_ins")


def _union(template: str) -> str:
    return " UNION ALL ".join(template.format(table=t) for t in EVENT_TABLES)


# A release holding fewer than this share of another's events for a (table, AOR, month) they
# both claim is "markedly fewer": it never replaces the other, whatever its date or scope. A
# truncated copy (the first 1,000 rows of a year) or half a release falls far below it; a
# revised release that drops a few duplicates does not.
MARKEDLY_FEWER = 0.9

_CANDIDATES = f"""
WITH months AS (
    SELECT r.release_id, r.table_name, g.m::DATE AS month
    FROM releases r,
         generate_series(date_trunc('month', r.coverage_start),
                         date_trunc('month', r.coverage_end), INTERVAL 1 MONTH) AS g(m)
    WHERE r.coverage_start IS NOT NULL AND r.coverage_end IS NOT NULL
    UNION
    SELECT release_id, table_name, month FROM ({
    _union(
        "SELECT DISTINCT release_id, '{table}' AS table_name, "
        "date_trunc('month', event_date)::DATE AS month FROM {table} "
        "WHERE event_date IS NOT NULL"
    )
})
),
held AS (
    SELECT release_id, table_name, aor, month, count(*) AS events FROM ({
    _union(
        "SELECT release_id, '{table}' AS table_name, aor, "
        "date_trunc('month', event_date)::DATE AS month FROM {table} "
        "WHERE event_date IS NOT NULL"
    )
}) GROUP BY ALL
),
held_month AS (
    SELECT release_id, table_name, month, sum(events) AS events FROM held GROUP BY ALL
),
-- release A is short of release B when, over the months A claims that B also covers, A holds
-- markedly fewer events: half a year's file matches the whole file month by month for its
-- first months, but not over the year it claims
short_of AS (
    SELECT c.release_id, o.release_id AS other_id
    FROM months c
    JOIN months o ON o.table_name = c.table_name AND o.month = c.month
                 AND o.release_id <> c.release_id
    LEFT JOIN held_month hc ON hc.release_id = c.release_id AND hc.month = c.month
    LEFT JOIN held_month ho ON ho.release_id = o.release_id AND ho.month = c.month
    GROUP BY ALL
    HAVING sum(coalesce(hc.events, 0)) < {MARKEDLY_FEWER} * sum(coalesce(ho.events, 0))
),
aors AS (
    SELECT DISTINCT table_name, aor FROM ({
    _union("SELECT DISTINCT '{table}' AS table_name, aor FROM {table}")
})
    UNION
    SELECT table_name, unnest(scope_aors) FROM releases WHERE scope_aors IS NOT NULL
),
candidates AS (
    SELECT a.table_name, a.aor, m.month, r.release_id, r.is_complete,
           r.scope_aors IS NULL AS all_aors,
           -- a stated period that starts or ends inside a month covers that month only in
           -- part; a release dated by its own rows claims no more than they show
           (r.coverage_basis = 'event_dates'
            OR (r.coverage_start <= m.month AND r.coverage_end >= last_day(m.month)))
               AS whole_month,
           coalesce(r.coverage_end - r.coverage_start, 0) AS coverage_days,
           r.coverage_end, r.ingested_at,
           coalesce(any_value(h.events), 0) AS events,
           coalesce(any_value(hm.events), 0) AS month_events,
           max(o.created_at) AS override_at
    FROM aors a
    JOIN months m ON m.table_name = a.table_name
    JOIN releases r ON r.release_id = m.release_id
    LEFT JOIN held h
           ON h.release_id = r.release_id AND h.table_name = a.table_name
          AND h.aor IS NOT DISTINCT FROM a.aor AND h.month = m.month
    LEFT JOIN held_month hm
           ON hm.release_id = r.release_id AND hm.table_name = a.table_name
          AND hm.month = m.month
    LEFT JOIN precedence_overrides o
           ON o.release_id = r.release_id AND o.table_name = a.table_name
          AND (o.aor IS NULL OR o.aor = a.aor) AND m.month BETWEEN o.month_from AND o.month_to
    WHERE r.scope_aors IS NULL OR list_contains(r.scope_aors, a.aor)
    GROUP BY ALL
),
weighed AS (
    -- fewer in the cell; or, between releases of every AOR, fewer in the whole month (an AOR
    -- where both hold nothing does not make a truncated copy as good as the release) or over
    -- the months the release claims
    SELECT c.*,
        c.events < {MARKEDLY_FEWER} * max(c.events) OVER (
            PARTITION BY c.table_name, c.aor, c.month, c.is_complete)
        OR (c.all_aors AND c.month_events < {MARKEDLY_FEWER} * max(c.month_events) OVER (
            PARTITION BY c.table_name, c.aor, c.month, c.is_complete, c.all_aors))
        OR (c.all_aors AND EXISTS (
            SELECT 1 FROM candidates o JOIN short_of s
              ON s.release_id = c.release_id AND s.other_id = o.release_id
            WHERE o.table_name = c.table_name AND o.aor IS NOT DISTINCT FROM c.aor
              AND o.month = c.month AND o.is_complete = c.is_complete AND o.all_aors))
            AS fewer
    FROM candidates c
),
ranked AS (
    SELECT *,
        row_number() OVER w AS rank,
        count(*) OVER (PARTITION BY table_name, aor, month) AS n,
        list(release_id) OVER (PARTITION BY table_name, aor, month) AS all_candidates,
        lead(release_id) OVER w AS next_id,
        lead(events) OVER w AS next_events,
        lead(month_events) OVER w AS next_month_events,
        lead(is_complete) OVER w AS next_complete,
        lead(fewer) OVER w AS next_fewer,
        lead(all_aors) OVER w AS next_all_aors,
        lead(whole_month) OVER w AS next_whole_month,
        lead(coverage_days) OVER w AS next_days
    FROM weighed
    WINDOW w AS (PARTITION BY table_name, aor, month
                 ORDER BY override_at DESC NULLS LAST, is_complete DESC, fewer ASC,
                          all_aors DESC, whole_month DESC, coverage_days DESC,
                          coverage_end DESC, ingested_at DESC, release_id DESC)
)
SELECT table_name, aor, month, release_id, list_sort(all_candidates) AS candidates,
    is_complete OR override_at IS NOT NULL AS counted,
    CASE
        WHEN override_at IS NOT NULL THEN 'user override'
        WHEN NOT is_complete THEN 'only a partial release covers it: not counted unless preferred'
        WHEN n = 1 THEN 'only release covering it'
        WHEN is_complete AND NOT next_complete THEN 'complete release preferred over a partial one'
        WHEN next_fewer AND NOT fewer THEN
            'release ' || next_id || ' holds markedly fewer events than release ' || release_id
            || ' for this month (here ' || next_events || ' against ' || events
            || ', in every AOR ' || next_month_events || ' against ' || month_events
            || ') or over the months it claims: a release with fewer events never replaces '
            || 'one with more'
        WHEN all_aors AND NOT next_all_aors THEN 'national release preferred over an AOR release'
        WHEN whole_month AND NOT next_whole_month THEN
            'covers the month whole; the other release covers only part of it'
        WHEN coverage_days > next_days THEN 'longer coverage'
        ELSE 'newer release'
    END AS reason
FROM ranked WHERE rank = 1
"""

_UNDATED = f"""
SELECT u.table_name, u.aor, u.release_id,
       NOT EXISTS (
           SELECT 1 FROM release_choice c
           WHERE c.table_name = u.table_name AND c.aor IS NOT DISTINCT FROM u.aor
             AND list_contains(c.candidates, u.release_id)
             AND (c.release_id <> u.release_id OR NOT c.counted)
       ) AS counted,
       'undated rows: counted only where their release is chosen for every month it covers'
FROM ({
    _union(
        "SELECT DISTINCT '{table}' AS table_name, aor, release_id FROM {table} "
        "WHERE event_date IS NULL"
    )
}) AS u
"""


def _counted_view(table: str) -> str:
    return f"""
CREATE OR REPLACE VIEW {table}_counted AS
SELECT e.* FROM {table} e
JOIN release_choice c
  ON c.table_name = '{table}' AND c.aor IS NOT DISTINCT FROM e.aor
 AND c.month = date_trunc('month', e.event_date) AND c.release_id = e.release_id
 AND c.counted
UNION ALL
SELECT e.* FROM {table} e
JOIN undated_choice u
  ON u.table_name = '{table}' AND u.aor IS NOT DISTINCT FROM e.aor
 AND u.release_id = e.release_id AND u.counted
WHERE e.event_date IS NULL
"""


def rebuild_choices(store: Store) -> None:
    """Recompute which release each (table, AOR, month) is counted from. Call inside the
    transaction that changed the releases or the overrides."""
    store.execute("DELETE FROM release_choice")
    store.execute(f"INSERT INTO release_choice {_CANDIDATES}")
    store.execute("DELETE FROM undated_choice")
    store.execute(f"INSERT INTO undated_choice {_UNDATED}")
    for table in EVENT_TABLES:
        store.execute(_counted_view(table))


@dataclass(frozen=True)
class Override:
    table_name: str
    release_id: int
    aor: str | None
    month_from: date
    month_to: date
    warning: str | None


def add_override(
    store: Store,
    release_id: int,
    *,
    aor: str | None = None,
    month_from: date | None = None,
    month_to: date | None = None,
) -> Override:
    """Count ``release_id``'s table from that release for ``aor`` (every AOR when None) and
    the months given (its whole coverage when None)."""
    found = store.rows(
        "SELECT table_name, coverage_start, coverage_end, is_complete FROM releases "
        "WHERE release_id = ?",
        [release_id],
    )
    if not found:
        raise ValueError(f"no release {release_id}: see `sanctuary-atlas releases` for the ids")
    table_name, start, end, complete = found[0]
    first = (month_from or start or date(1900, 1, 1)).replace(day=1)
    last = (month_to or end or date(2999, 12, 1)).replace(day=1)
    if first > last:
        raise ValueError(f"--from {first:%Y-%m} is after --to {last:%Y-%m}")
    warning = None
    if not complete:
        warning = (
            f"release {release_id} is partial (one program only): where a complete release "
            "covers the same months its counts will be lower"
        )
    with store.transaction():
        store.execute(
            "INSERT INTO precedence_overrides VALUES (?, ?, ?, ?, ?, ?)",
            [table_name, aor, first, last, release_id, datetime.now()],
        )
        rebuild_choices(store)
    return Override(table_name, release_id, aor, first, last, warning)


def clear_overrides(store: Store) -> int:
    with store.transaction():
        removed = int(store.scalar("SELECT count(*) FROM precedence_overrides"))
        store.execute("DELETE FROM precedence_overrides")
        rebuild_choices(store)
    return removed


def overlaps(store: Store) -> pl.DataFrame:
    """Per release: the (AOR, month) cells it covers, how many it is counted for, the other
    releases it overlaps, and its rows counted and not counted (NULL in a store materialised
    from the default atlas, which holds the precedence but no rows). A store no release was
    ingested into has no ``*_counted`` views yet, and no release either."""
    if store.published_only() or not store.table_exists("arrests_counted"):
        counted_rows = "SELECT NULL::INTEGER AS release_id, NULL::BIGINT AS rows_counted LIMIT 0"
        rows_counted = "NULL::BIGINT"
    else:
        counted_rows = f"""SELECT release_id, count(*) AS rows_counted FROM ({
            _union("SELECT release_id FROM {table}_counted")
        }) GROUP BY release_id"""
        rows_counted = "coalesce(c.rows_counted, 0)"
    return store.frame(
        f"""
        WITH cells AS (
            SELECT unnest(candidates) AS release_id,
                   CASE WHEN counted THEN release_id END AS chosen, reason
            FROM release_choice
        ),
        per_release AS (
            SELECT release_id, count(*) AS cells_covered,
                   count(*) FILTER (WHERE release_id = chosen) AS cells_counted,
                   list_sort(list(DISTINCT chosen) FILTER (WHERE release_id <> chosen))
                       AS superseded_by,
                   any_value(reason) FILTER (WHERE chosen IS NULL OR release_id <> chosen)
                       AS reason
            FROM cells GROUP BY release_id
        ),
        counted AS ({counted_rows})
        SELECT r.release_id, r.table_name, r.file_name, r.sheet,
               coalesce(p.cells_covered, 0) AS cells_covered,
               coalesce(p.cells_counted, 0) AS cells_counted,
               p.superseded_by, p.reason AS superseded_reason,
               {rows_counted} AS rows_counted,
               r.rows_loaded - {rows_counted} AS rows_not_counted
        FROM releases r
        LEFT JOIN per_release p USING (release_id)
        LEFT JOIN counted c USING (release_id)
        ORDER BY r.release_id
        """
    )
