-- Release registry and canonical event tables.
-- One row per ingested file x sheet. A file is identified by its sha256; re-ingesting it is a no-op.
CREATE SEQUENCE release_id_seq START 1;

CREATE TABLE releases (
    release_id      INTEGER PRIMARY KEY DEFAULT nextval('release_id_seq'),
    source_family   VARCHAR NOT NULL,   -- layout family, e.g. 'ice-lesa-delimited', 'ice-lesa-workbook'
    file_name       VARCHAR NOT NULL,   -- original file name as given
    file_path       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    sheet           VARCHAR,            -- NULL for delimited files
    table_name      VARCHAR NOT NULL,   -- arrests | encounters | removals | detainers | book_ins
    title           VARCHAR,            -- the banner line naming the table
    foia_number     VARCHAR,
    fiscal_year     SMALLINT,
    coverage_start  DATE,
    coverage_end    DATE,
    coverage_basis  VARCHAR NOT NULL,   -- 'stated_in_banner' | 'fiscal_year' | 'event_dates'
    scope_aors      VARCHAR[],          -- NULL: every AOR (a national release)
    scope_programs  VARCHAR NOT NULL,   -- 'all' or the one program the release is limited to ('CAP')
    is_complete     BOOLEAN NOT NULL,   -- holds every event of its table in its scope
    header_row      INTEGER NOT NULL,   -- 1-based line / sheet row of the header
    rows_read       BIGINT NOT NULL,
    rows_loaded     BIGINT NOT NULL,
    rows_flagged    BIGINT NOT NULL,    -- rows with a redacted or impossible value
    dates_invalid   BIGINT NOT NULL,    -- impossible dates set to NULL
    report          VARCHAR NOT NULL,   -- JSON ingest report (redactions and invalid dates by column)
    ingested_at     TIMESTAMP NOT NULL
);

-- Canonical event tables. Every row keeps its provenance (release_id, source_row).
-- Personal fields (birth date, event number) are never stored: ICE redacts them anyway, and the
-- atlas never identifies a person.
CREATE TABLE arrests (
    release_id      INTEGER NOT NULL,
    source_row      BIGINT NOT NULL,
    event_date      DATE,
    fiscal_year     SMALLINT,
    aor             VARCHAR,            -- 3-letter code, 'HQ', or NULL when the release left it blank
    method          VARCHAR,
    method_class    VARCHAR NOT NULL,   -- custodial | at_large | other
    location_text   VARCHAR,            -- apprehension landmark as given
    operation       VARCHAR,
    disposition     VARCHAR,
    citizenship     VARCHAR,
    gender          VARCHAR,
    redacted        VARCHAR[] NOT NULL, -- canonical columns whose value was a redaction marker
    invalid_dates   VARCHAR[] NOT NULL  -- canonical date columns set to NULL as impossible
);

CREATE TABLE encounters (
    release_id      INTEGER NOT NULL,
    source_row      BIGINT NOT NULL,
    event_date      DATE,
    fiscal_year     SMALLINT,
    aor             VARCHAR,
    location_text   VARCHAR,            -- landmark as given
    operation       VARCHAR,
    disposition     VARCHAR,            -- 'Detainer' marks a detainer lodged
    citizenship     VARCHAR,
    gender          VARCHAR,
    redacted        VARCHAR[] NOT NULL,
    invalid_dates   VARCHAR[] NOT NULL
);

CREATE TABLE removals (
    release_id        INTEGER NOT NULL,
    source_row        BIGINT NOT NULL,
    event_date        DATE,             -- removal date
    fiscal_year       SMALLINT,
    aor               VARCHAR,
    apprehension_date DATE,
    departed_date     DATE,
    disposition       VARCHAR,          -- processing disposition code
    citizenship       VARCHAR,
    gender            VARCHAR,
    threat_level      VARCHAR,
    offense_level     VARCHAR,          -- Seattle workbook 'Removal Case COL'
    charge_section    VARCHAR,
    redacted          VARCHAR[] NOT NULL,
    invalid_dates     VARCHAR[] NOT NULL
);

-- Room for detainer and book-in releases (layouts known from public codebooks; no files yet).
CREATE TABLE detainers (
    release_id      INTEGER NOT NULL,
    source_row      BIGINT NOT NULL,
    event_date      DATE,
    fiscal_year     SMALLINT,
    aor             VARCHAR,
    location_text   VARCHAR,            -- facility or agency that received the detainer
    disposition     VARCHAR,
    citizenship     VARCHAR,
    gender          VARCHAR,
    redacted        VARCHAR[] NOT NULL,
    invalid_dates   VARCHAR[] NOT NULL
);

CREATE TABLE book_ins (
    release_id      INTEGER NOT NULL,
    source_row      BIGINT NOT NULL,
    event_date      DATE,
    fiscal_year     SMALLINT,
    aor             VARCHAR,
    location_text   VARCHAR,            -- detention facility
    arresting_agency VARCHAR,
    citizenship     VARCHAR,
    gender          VARCHAR,
    redacted        VARCHAR[] NOT NULL,
    invalid_dates   VARCHAR[] NOT NULL
);

-- User overrides of the default release precedence (see releases/precedence.py).
CREATE TABLE precedence_overrides (
    table_name  VARCHAR NOT NULL,
    aor         VARCHAR,                -- NULL: every AOR
    month_from  DATE NOT NULL,
    month_to    DATE NOT NULL,
    release_id  INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- Which release each (table, AOR, month) is counted from; rebuilt after every change.
CREATE TABLE release_choice (
    table_name  VARCHAR NOT NULL,
    aor         VARCHAR,
    month       DATE NOT NULL,
    release_id  INTEGER NOT NULL,
    candidates  INTEGER[] NOT NULL,
    counted     BOOLEAN NOT NULL,       -- false: only a partial release covers it, not preferred
    reason      VARCHAR NOT NULL
);

-- Rows without an event date (a release with no date column, or an impossible date) cannot be
-- placed in a month: they are counted only where their release is chosen for every month it
-- covers in that AOR, so that no event is counted twice.
CREATE TABLE undated_choice (
    table_name  VARCHAR NOT NULL,
    aor         VARCHAR,
    release_id  INTEGER NOT NULL,
    counted     BOOLEAN NOT NULL,
    reason      VARCHAR NOT NULL
);
