-- A direct edit (no adjustment) may remove up to the district's minor_edit_m2 in one
-- transaction; removing more needs an approved adjustment (domain.md §8.3).
CREATE OR REPLACE FUNCTION landreg_sys.needs_adjustment(removed_m2 double precision, minor_edit_m2 double precision)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN removed_m2 > minor_edit_m2;
