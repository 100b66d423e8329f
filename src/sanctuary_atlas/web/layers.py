"""The map's policy layers: which policy kinds each outlines, its label, and how it is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PolicyLayer(StrEnum):
    limits_detainers = "limits_detainers"
    g287 = "287g"
    g287_jail_enforcement = "287g_jail_enforcement"
    g287_task_force = "287g_task_force"
    g287_warrant_service = "287g_warrant_service"
    state_mandates = "state_mandates"


# What each map layer outlines: the policy kinds (a name or glob) and the label users see.
POLICY_LAYERS: dict[str, tuple[str, str]] = {
    PolicyLayer.limits_detainers: ("limits_detainers", "Limits on honouring ICE detainers"),
    PolicyLayer.g287: ("287g_*", "287(g) agreement (any model)"),
    PolicyLayer.g287_jail_enforcement: (
        "287g_jail_enforcement",
        "287(g) jail enforcement model",
    ),
    PolicyLayer.g287_task_force: ("287g_task_force", "287(g) task force model"),
    PolicyLayer.g287_warrant_service: ("287g_warrant_service", "287(g) warrant service model"),
    PolicyLayer.state_mandates: ("state_mandates_cooperation", "State law mandating cooperation"),
}
# The layers the map offers: each 287(g) model on its own (the any-model layer stays in the API
# for clients that used it, but on the map it would only hide the three beneath it).
MAP_LAYERS = tuple(key for key in POLICY_LAYERS if key != PolicyLayer.g287)


@dataclass(frozen=True)
class LayerStyle:
    """How a layer outlines its shapes. Each has its own dash pattern and width, so the layers
    tell apart without colour; the legend swatch beside each checkbox is drawn from the same
    values the map script uses."""

    stroke: str
    dash: tuple[float, ...]
    width: float

    @property
    def dash_text(self) -> str:
        return ",".join(f"{d:g}" for d in self.dash)


LAYER_STYLES: dict[str, LayerStyle] = {
    PolicyLayer.limits_detainers: LayerStyle("#111111", (), 2.2),
    PolicyLayer.g287: LayerStyle("#8a3b00", (4, 2), 1.6),
    PolicyLayer.g287_jail_enforcement: LayerStyle("#b34700", (7, 3), 1.8),
    PolicyLayer.g287_task_force: LayerStyle("#8a1c7c", (1.5, 2.5), 2.6),
    PolicyLayer.g287_warrant_service: LayerStyle("#00695c", (9, 3, 2, 3), 1.8),
    PolicyLayer.state_mandates: LayerStyle("#3d2a86", (14, 5), 3.0),
}
