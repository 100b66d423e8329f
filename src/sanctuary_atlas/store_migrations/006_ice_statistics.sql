-- National monthly figures from ICE's own detention statistics (releases/ice_stats.py): one
-- fiscal year's chosen spreadsheet per release row, its whole months only.
CREATE TABLE ice_statistics (
    release_id      INTEGER NOT NULL,
    measure         VARCHAR NOT NULL,   -- book_ins, book_ins_ice, book_ins_cbp, ice_adp, ...
    month           DATE NOT NULL,
    value           DOUBLE NOT NULL
);
