-- Fields of newer releases (the Deportation Data Project's ICE tables, workbooks with
-- conviction columns): categories and places, never identifiers.
ALTER TABLE arrests ADD COLUMN state VARCHAR;          -- apprehension state as given
ALTER TABLE arrests ADD COLUMN criminality VARCHAR;    -- ICE's class: '1 Convicted Criminal', ...
ALTER TABLE arrests ADD COLUMN conviction VARCHAR;     -- category of the most serious conviction
ALTER TABLE encounters ADD COLUMN criminality VARCHAR;
ALTER TABLE removals ADD COLUMN criminality VARCHAR;
ALTER TABLE removals ADD COLUMN conviction VARCHAR;
ALTER TABLE detainers ADD COLUMN facility_code VARCHAR;  -- detention facility code of the jail
ALTER TABLE detainers ADD COLUMN state VARCHAR;          -- the facility's state as given
ALTER TABLE detainers ADD COLUMN lift_reason VARCHAR;    -- how the detainer ended, as given
ALTER TABLE detainers ADD COLUMN criminality VARCHAR;
ALTER TABLE detainers ADD COLUMN conviction VARCHAR;
ALTER TABLE book_ins ADD COLUMN facility_code VARCHAR;
ALTER TABLE book_ins ADD COLUMN criminality VARCHAR;
