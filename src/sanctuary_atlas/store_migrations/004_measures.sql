-- Detention population (UWCHR's daily headcount by facility, derived from an ICE FOIA release)
-- and the measure panel with its disclosure control.

-- Detention facilities: code -> place. County FIPS resolved from the county name and state.
CREATE TABLE detention_facilities (
    release_id      INTEGER NOT NULL,
    facility_code   VARCHAR NOT NULL,
    name            VARCHAR,
    city            VARCHAR,
    county_name     VARCHAR,
    state           VARCHAR,
    aor             VARCHAR,
    county_fips     VARCHAR,            -- NULL when the county name matched no county
    facility_type   VARCHAR
);

-- People held per facility and day (days without a row held nobody).
CREATE TABLE detention_headcount (
    release_id      INTEGER NOT NULL,
    source_row      BIGINT NOT NULL,
    facility_code   VARCHAR NOT NULL,
    day             DATE NOT NULL,
    people          INTEGER NOT NULL
);

-- measure x area x month, built from the counted events; ``value`` stays inside the program,
-- only ``published`` (NULL where suppressed) leaves it.
CREATE TABLE panel_cells (
    level            VARCHAR NOT NULL,  -- nation | aor | state | county
    area_code        VARCHAR NOT NULL,
    month            DATE NOT NULL,
    measure          VARCHAR NOT NULL,
    value            DOUBLE NOT NULL,
    published        DOUBLE,
    suppressed       VARCHAR            -- NULL | 'primary' | 'complementary' (internal audit)
);

-- What the panel was built from; a different fingerprint means it is rebuilt.
CREATE TABLE panel_builds (
    fingerprint      VARCHAR NOT NULL,
    threshold        INTEGER NOT NULL,
    cells            BIGINT NOT NULL,
    suppressed       BIGINT NOT NULL,
    seconds          DOUBLE NOT NULL,
    built_at         TIMESTAMP NOT NULL
);
