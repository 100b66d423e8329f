-- Location resolutions: one row per distinct (AOR, location text) of the event tables, resolved
-- once by sanctuary_atlas.geography.resolve_store_locations and joined to events on both columns
-- (NULL-safe: IS NOT DISTINCT FROM), never resolved per row.
CREATE TABLE location_resolutions (
    aor              VARCHAR,            -- as in the event tables: 3-letter code, 'HQ' or NULL
    location_text    VARCHAR,            -- as in the event tables; NULL for a blank landmark
    county_fips      VARCHAR,            -- 5-character string; NULL unless level = 'county'
    state            VARCHAR,            -- USPS code when known
    level            VARCHAR NOT NULL,   -- county | state | aor | none
    match_kind       VARCHAR NOT NULL,   -- which rule decided (facility, named_county, ...)
    confidence       DOUBLE NOT NULL,
    resolver_version VARCHAR NOT NULL,
    resolved_at      TIMESTAMP NOT NULL
);
