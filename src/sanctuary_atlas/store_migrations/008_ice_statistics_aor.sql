-- ICE's statistics by AOR (alternatives to detention, releases/ice_atd.py): the AOR code, or
-- NULL for a national figure.
ALTER TABLE ice_statistics ADD COLUMN aor VARCHAR;
