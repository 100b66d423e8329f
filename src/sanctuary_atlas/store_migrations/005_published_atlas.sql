-- A store can be materialised from the bundled default atlas (``sanctuary-atlas init``): it then
-- holds published aggregates only — panel cells after disclosure control, the release registry,
-- the policy registry — and no event rows. ``atlas_origin`` says so; loaders refuse such a store,
-- and the panel is never rebuilt in it (there are no events to rebuild it from).
CREATE TABLE atlas_origin (
    kind             VARCHAR NOT NULL,   -- 'bundled': materialised from published aggregates
    manifest_sha256  VARCHAR NOT NULL,   -- the bundle's manifest.json it came from
    description      VARCHAR NOT NULL,
    materialised_at  TIMESTAMP NOT NULL
);

-- In a materialised store a withheld cell's value is not known: it is stored as NULL there.
ALTER TABLE panel_cells ALTER COLUMN value DROP NOT NULL;
