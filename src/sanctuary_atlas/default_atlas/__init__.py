"""The bundled default atlas: published aggregates shipped with the package (``export``), and
their materialisation into a store (``materialise``)."""

from sanctuary_atlas.default_atlas.materialise import (
    DEFAULT_BUNDLE,
    BundleError,
    Materialised,
    materialise,
    read_manifest,
)

__all__ = ["DEFAULT_BUNDLE", "BundleError", "Materialised", "materialise", "read_manifest"]
