-- Whether compensation still owed after every source was drawn is a shortfall
-- (先补后占/改一补一 not met); below 1e-6 m² is rounding.
CREATE OR REPLACE FUNCTION landreg_sys.compensation_short(need_m2 double precision) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN need_m2 > 1e-6;
