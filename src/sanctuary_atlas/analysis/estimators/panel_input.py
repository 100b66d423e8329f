"""Check a tidy staggered-adoption panel and describe it for the estimators.

The estimators take one shape of input, a long polars frame with one row per unit and period::

    unit (str) · period (int, consecutive) · outcome (float) · first_treated (int | null)
    [· weight (float, constant within a unit)]

``first_treated`` is the first period in which the policy is in force for the unit; null means the
unit never adopts it within the panel. Everything a caller could get wrong is checked here, once,
with an error that names the column, the offending value and what would be right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

UNIT = "unit"
PERIOD = "period"
OUTCOME = "outcome"
FIRST_TREATED = "first_treated"
WEIGHT = "weight"

REQUIRED_COLUMNS = (UNIT, PERIOD, OUTCOME, FIRST_TREATED)


def period_number(period: int) -> str:
    """A period as the estimators number it, for panels whose periods are not months."""
    return f"period {period}"


class PanelError(ValueError):
    """The panel given to an estimator cannot be used as it is; the message says why."""


@dataclass(frozen=True, eq=False)
class PreparedPanel:
    """A checked panel and the facts about it that estimators and caveats need.

    ``frame`` holds only the units used for estimation: units whose adoption leaves them no
    untreated base period (adopted in the panel's first period, or within ``anticipation``
    periods of it) are removed and counted in ``n_excluded_units``.
    """

    frame: pl.DataFrame
    first_period: int
    last_period: int
    anticipation: int
    has_weights: bool
    cohorts: tuple[int, ...]
    cohort_sizes: dict[int, int]
    n_units: int
    n_treated: int
    n_never_treated: int
    n_excluded_units: int
    n_missing_outcomes_dropped: int
    is_balanced: bool
    # how a caveat names a period to a reader ("period 20"; the atlas says "July 2017")
    period_label: Callable[[int], str]

    def periods_text(self, periods: Sequence[int]) -> str:
        return ", ".join(self.period_label(p) for p in periods)

    @property
    def n_periods(self) -> int:
        return self.last_period - self.first_period + 1

    def pre_periods(self, cohort: int) -> int:
        """Untreated periods a cohort has before adoption (anticipation periods excluded)."""
        return cohort - self.anticipation - self.first_period


def _integer_column(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    dtype = frame.schema[column]
    if dtype.is_integer():
        return frame.with_columns(pl.col(column).cast(pl.Int64))
    if dtype.is_float():
        values = frame.get_column(column).drop_nulls()
        if values.is_nan().any() or (values != values.round(0)).any():
            raise PanelError(
                f"column {column!r} must hold whole numbers (periods); found non-integer "
                f"values such as {values.filter(values != values.round(0)).head(3).to_list()}"
            )
        return frame.with_columns(pl.col(column).cast(pl.Int64))
    raise PanelError(f"column {column!r} must be an integer period, got dtype {dtype}")


def prepare_panel(
    panel: pl.DataFrame,
    *,
    anticipation: int = 0,
    drop_missing_outcomes: bool = False,
    period_label: Callable[[int], str] | None = None,
) -> PreparedPanel:
    """Validate ``panel`` and return it with its description, or raise :class:`PanelError`.

    Rows whose outcome is null or NaN are an error unless ``drop_missing_outcomes`` is set, in
    which case they are dropped and counted (the count is reported as a caveat).
    """
    if not isinstance(panel, pl.DataFrame):
        raise PanelError(f"panel must be a polars DataFrame, got {type(panel).__name__}")
    if anticipation < 0:
        raise PanelError(f"anticipation must be 0 or more periods, got {anticipation}")
    missing = [c for c in REQUIRED_COLUMNS if c not in panel.columns]
    if missing:
        raise PanelError(
            f"panel is missing column(s) {missing}; expected columns "
            f"{list(REQUIRED_COLUMNS)} (+ optional {WEIGHT!r}), got {panel.columns}"
        )
    if panel.height == 0:
        raise PanelError("panel has no rows")
    has_weights = WEIGHT in panel.columns
    columns = [*REQUIRED_COLUMNS, *([WEIGHT] if has_weights else [])]
    frame = panel.select(columns)

    if frame.get_column(UNIT).null_count():
        raise PanelError(f"column {UNIT!r} has {frame.get_column(UNIT).null_count()} null values")
    frame = frame.with_columns(pl.col(UNIT).cast(pl.String))
    if frame.get_column(PERIOD).null_count():
        raise PanelError(
            f"column {PERIOD!r} has {frame.get_column(PERIOD).null_count()} null values"
        )
    frame = _integer_column(frame, PERIOD)
    frame = _integer_column(frame, FIRST_TREATED)
    if not frame.schema[OUTCOME].is_numeric():
        raise PanelError(f"column {OUTCOME!r} must be numeric, got {frame.schema[OUTCOME]}")
    frame = frame.with_columns(pl.col(OUTCOME).cast(pl.Float64).fill_nan(None))

    n_missing = frame.get_column(OUTCOME).null_count()
    if n_missing and not drop_missing_outcomes:
        raise PanelError(
            f"column {OUTCOME!r} has {n_missing} null/NaN values; drop those rows (or pass "
            "drop_missing_outcomes=True to drop them and report the count as a caveat)"
        )
    frame = frame.filter(pl.col(OUTCOME).is_not_null())
    if frame.height == 0:
        raise PanelError(f"every {OUTCOME!r} value is missing")

    duplicated = frame.select(UNIT, PERIOD).is_duplicated()
    if duplicated.any():
        example = frame.filter(duplicated).row(0, named=True)
        raise PanelError(
            f"panel has {int(duplicated.sum())} rows sharing a (unit, period) pair, e.g. "
            f"unit={example[UNIT]!r} period={example[PERIOD]}; give one row per unit and period"
        )

    periods = frame.get_column(PERIOD).unique().sort()
    first_period, last_period = int(periods[0]), int(periods[-1])
    if periods.len() != last_period - first_period + 1:
        gaps = sorted(set(range(first_period, last_period + 1)) - set(periods.to_list()))
        raise PanelError(
            f"periods must be consecutive integers; {len(gaps)} period(s) between "
            f"{first_period} and {last_period} have no rows, e.g. {gaps[:5]}"
        )
    if periods.len() < 2:
        raise PanelError("panel needs at least two periods")

    per_unit = frame.group_by(UNIT).agg(
        pl.col(FIRST_TREATED).n_unique().alias("n_first"),
        pl.col(FIRST_TREATED).first().alias(FIRST_TREATED),
        pl.len().alias("n_rows"),
        *([pl.col(WEIGHT).n_unique().alias("n_weight")] if has_weights else []),
    )
    varying = per_unit.filter(pl.col("n_first") > 1)
    if varying.height:
        raise PanelError(
            f"{FIRST_TREATED!r} must be constant within a unit; {varying.height} unit(s) "
            f"have several values, e.g. {varying.get_column(UNIT)[0]!r}"
        )
    outside = per_unit.filter(
        (pl.col(FIRST_TREATED) < first_period) | (pl.col(FIRST_TREATED) > last_period)
    )
    if outside.height:
        row = outside.row(0, named=True)
        raise PanelError(
            f"{outside.height} unit(s) have {FIRST_TREATED!r} outside the panel's periods "
            f"[{first_period}, {last_period}], e.g. unit={row[UNIT]!r} "
            f"{FIRST_TREATED}={row[FIRST_TREATED]}; units already treated when the panel starts "
            "have no pre-period (drop them), and units adopting after it ends are untreated "
            "within it (set first_treated to null or extend the panel)"
        )
    if has_weights:
        if frame.get_column(WEIGHT).null_count() or (frame.get_column(WEIGHT) < 0).any():
            raise PanelError(f"column {WEIGHT!r} must be non-negative and non-null")
        if (per_unit.get_column("n_weight") > 1).any():
            raise PanelError(
                f"column {WEIGHT!r} must be constant within a unit (e.g. its population in a "
                "fixed base year)"
            )
        frame = frame.with_columns(pl.col(WEIGHT).cast(pl.Float64))

    # A unit adopting in the first period (or within the anticipation window of it) has no
    # untreated base period, so neither estimator can use it.
    no_base = per_unit.filter(pl.col(FIRST_TREATED) - anticipation <= first_period)
    if no_base.height:
        frame = frame.filter(~pl.col(UNIT).is_in(no_base.get_column(UNIT).implode()))
        per_unit = per_unit.filter(~pl.col(UNIT).is_in(no_base.get_column(UNIT).implode()))

    treated_units = per_unit.filter(pl.col(FIRST_TREATED).is_not_null())
    if treated_units.height == 0:
        raise PanelError(
            "panel has no treated units with a pre-period: every first_treated is null, or "
            f"every adoption falls at or before period {first_period + anticipation}"
        )
    sizes = treated_units.group_by(FIRST_TREATED).len().sort(FIRST_TREATED)
    cohort_sizes = {int(g): int(n) for g, n in sizes.iter_rows()}
    n_periods = last_period - first_period + 1
    return PreparedPanel(
        frame=frame.sort(UNIT, PERIOD),
        first_period=first_period,
        last_period=last_period,
        anticipation=anticipation,
        has_weights=has_weights,
        cohorts=tuple(cohort_sizes),
        cohort_sizes=cohort_sizes,
        n_units=per_unit.height,
        n_treated=treated_units.height,
        n_never_treated=per_unit.height - treated_units.height,
        n_excluded_units=no_base.height,
        n_missing_outcomes_dropped=n_missing,
        is_balanced=bool((per_unit.get_column("n_rows") == n_periods).all()),
        period_label=period_label or period_number,
    )
