-- The policy registry (issue 4): dated, sourced policy entries and the ICE 287(g) list history
-- they are partly derived from. Dates are inclusive; effective_to NULL means still in force.
CREATE TABLE policies (
    policy_id          VARCHAR PRIMARY KEY,  -- stable hash of origin, jurisdiction, kind, start
    jurisdiction_level VARCHAR NOT NULL,     -- state | county | place
    jurisdiction_fips  VARCHAR,              -- 2 / 5 / 7 digits; NULL only when unresolved
    jurisdiction_name  VARCHAR NOT NULL,
    state_fips         VARCHAR NOT NULL,
    county_fips        VARCHAR[] NOT NULL,   -- counties the jurisdiction lies in (a county: itself)
    kind               VARCHAR NOT NULL,     -- closed vocabulary, see policies/model.py
    effective_from     DATE NOT NULL,
    effective_to       DATE,
    description        VARCHAR NOT NULL,
    source_title       VARCHAR NOT NULL,
    source_publisher   VARCHAR NOT NULL,
    source_date        DATE,
    source_address     VARCHAR NOT NULL,
    date_basis         VARCHAR NOT NULL,     -- stated_in_source | first_seen_in_snapshot | inferred
    uncertainty        VARCHAR,
    origin             VARCHAR NOT NULL,     -- which loader wrote it; reloads replace their own
    agency             VARCHAR,
    attributes         VARCHAR NOT NULL,     -- JSON: loader-specific details (model, signed date)
    loaded_at          TIMESTAMP NOT NULL
);

-- One row per ICE 287(g) list snapshot loaded: a file's content (sha256) at a time. Scrapes days
-- apart often hold identical files; each is an observation of the list at its own time.
CREATE TABLE policy_287g_snapshots (
    sha256            VARCHAR NOT NULL,
    list_name         VARCHAR NOT NULL,      -- participating | pending
    file_name         VARCHAR NOT NULL,
    snapshot_time     TIMESTAMP NOT NULL,
    time_source       VARCHAR NOT NULL,      -- from MANIFEST.csv, or 'file_name'
    source_repository VARCHAR,
    layout            VARCHAR NOT NULL,      -- the header row, joined with '|'
    rows_listed       INTEGER NOT NULL,      -- agreement rows read (blank rows not counted)
    reader            VARCHAR NOT NULL,      -- fastexcel | openpyxl
    is_complete       BOOLEAN NOT NULL,      -- FALSE: a truncated list; its absences end nothing
    completeness_note VARCHAR,
    loaded_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (list_name, snapshot_time, sha256)
);

-- Every agreement row of every distinct snapshot content, normalised: the evidence the
-- agreements are derived from. Keys carry the list of the first file read with that content.
CREATE TABLE policy_287g_listings (
    sha256        VARCHAR NOT NULL,          -- the content; snapshots give it times
    source_row    INTEGER NOT NULL,          -- 1-based sheet row
    agreement_key VARCHAR NOT NULL,          -- list | state FIPS | normalised agency | model
    state_raw     VARCHAR,
    state_fips    VARCHAR,
    agency_raw    VARCHAR,
    agency_type   VARCHAR,
    county_raw    VARCHAR,
    support_raw   VARCHAR,
    model         VARCHAR NOT NULL,          -- jail_enforcement | task_force | warrant_service | unknown
    signed_raw    VARCHAR,
    signed_date   DATE                       -- NULL when the raw value could not be read as a date
);

-- One row per agreement (ICE publishes no identifiers: an agreement is a list, state, agency and
-- model); rebuilt from all listings after every load.
CREATE TABLE policy_287g_agreements (
    agreement_key     VARCHAR PRIMARY KEY,
    list_name         VARCHAR NOT NULL,
    state_fips        VARCHAR,
    state_name        VARCHAR,
    agency            VARCHAR NOT NULL,      -- the most recent spelling
    agency_type       VARCHAR,
    model             VARCHAR NOT NULL,
    county_name       VARCHAR,
    county_fips       VARCHAR,
    signed_first      DATE,                  -- earliest readable signing date listed
    signed_last       DATE,                  -- latest (ICE re-lists renewed agreements)
    signed_unreadable VARCHAR[] NOT NULL,    -- raw values that were not dates
    first_seen        TIMESTAMP NOT NULL,
    last_seen         TIMESTAMP NOT NULL,
    snapshots_listed  INTEGER NOT NULL,
    spells            INTEGER NOT NULL,      -- > 1: it left the list and came back
    in_latest         BOOLEAN NOT NULL,
    merged_keys       VARCHAR[] NOT NULL,    -- listing keys read as this one agreement
    spellings         VARCHAR[] NOT NULL     -- every spelling of the agency ICE used
);
