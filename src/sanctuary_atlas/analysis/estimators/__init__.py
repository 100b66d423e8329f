"""Staggered-adoption difference-in-differences estimators for the atlas.

Give either estimator a tidy polars panel (unit, period, outcome, first_treated, [weight]); get a
:class:`DidResult` with the overall ATT, the event study, the pre-trend test, unit counts and the
caveats found in the data::

    from sanctuary_atlas.analysis.estimators import callaway_santanna, sun_abraham
    cs = callaway_santanna(panel, control="never_treated")
    sa = sun_abraham(panel)
    print(cs.summary())
    event_study_figure([cs, sa], "effect.png", "Detainer limits and custodial arrests")
"""

from sanctuary_atlas.analysis.estimators.callaway_santanna import callaway_santanna
from sanctuary_atlas.analysis.estimators.figures import event_study_figure
from sanctuary_atlas.analysis.estimators.panel_input import (
    PanelError,
    PreparedPanel,
    prepare_panel,
)
from sanctuary_atlas.analysis.estimators.placebo import placebo_test
from sanctuary_atlas.analysis.estimators.results import DidResult, PlaceboTest, PretrendTest
from sanctuary_atlas.analysis.estimators.sun_abraham import sun_abraham
from sanctuary_atlas.analysis.estimators.synthetic import constant_effect, synthetic_panel

__all__ = [
    "DidResult",
    "PanelError",
    "PlaceboTest",
    "PreparedPanel",
    "PretrendTest",
    "callaway_santanna",
    "constant_effect",
    "event_study_figure",
    "placebo_test",
    "prepare_panel",
    "sun_abraham",
    "synthetic_panel",
]
