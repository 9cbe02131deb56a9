-- The start deadline (开工期限, domain.md §2.1, §8.4): the latest approved extension,
-- else the agreed start, else one year after actual delivery when the contract names no
-- start date. NULL: no deadline yet (not delivered, no agreed start).
CREATE OR REPLACE FUNCTION landreg_sys.start_deadline(agreed_start date, extension_deadline date, delivered date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(extension_deadline, agreed_start, landreg_sys.years_after(delivered, 1));
