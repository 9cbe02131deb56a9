-- 投而未达 by the ramp-up review (达产复核, ruling 12): the latest review by at_date
-- failed (passed false) or reported an investment intensity below the agreed one; it
-- holds from the review's date, for a completed parcel, until a later review passes.
-- NULL: does not hold.
CREATE OR REPLACE FUNCTION landreg_sys.review_failed_since(completed date, reviewed date, passed boolean,
  invest_per_mu double precision, agreed_invest_per_mu numeric)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN completed IS NOT NULL AND reviewed IS NOT NULL
             AND (passed IS FALSE OR coalesce(landreg_sys.short_of(invest_per_mu, agreed_invest_per_mu), false))
            THEN reviewed END;
