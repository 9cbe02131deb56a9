-- A shortfall against an agreed indicator (投而未达): the year's actual below the agreed
-- figure, where both exist (NULL otherwise). The agreed figure is the contract's numeric,
-- converted here, only for what is judged.
CREATE OR REPLACE FUNCTION landreg_sys.short_of(actual double precision, agreed numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN actual < agreed::double precision;
