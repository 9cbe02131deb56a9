-- Industrial land supplied (新增工业用地供应, domain.md §7.9, §8.7) as of legal date
-- at_date, as known at system time known_at (NULL: now): every parcel of an industrial
-- land use (landreg_sys.industrial_landuse, with the district's logistics setting) whose
-- contract was signed by at_date, with its registered area in 亩 (computed area where
-- none is registered). A parcel's figures are those of its version in force at at_date;
-- a parcel first registered after at_date counts with its first version (the contract
-- was signed then, whenever it was entered); one retired since still counts, as its
-- supply happened. Callers narrow it to a period by contract_date.
CREATE OR REPLACE FUNCTION landreg_sys.supplied_land(at_date date, known_at timestamptz)
RETURNS TABLE (parcel_id bigint, xzqdm text, contract_date date, supply_method text, is_standard_land boolean, mu double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT s.id, s.xzqdm, s.contract_date, s.supply_method, s.is_standard_land, s.mu
  FROM (
    SELECT DISTINCT ON (v.id) v.id, v.xzqdm, v.contract_date, v.supply_method, v.is_standard_land, v.landuse_code,
      landreg_sys.m2_to_mu(coalesce(v.registered_area_m2::float8, v.area_m2)) AS mu
    FROM parcels_all v
    WHERE (known_at IS NULL OR v.sys_from <= known_at)
    -- the last version that took effect by at_date, else (registered later) the first
    ORDER BY v.id, (v.valid_from <= at_date) DESC,
      CASE WHEN v.valid_from <= at_date THEN v.valid_from END DESC NULLS LAST,
      CASE WHEN v.valid_from <= at_date THEN v.version END DESC NULLS LAST, v.version
  ) s
  JOIN districts d ON d.xzqdm = s.xzqdm
  WHERE s.contract_date <= at_date AND landreg_sys.industrial_landuse(s.landuse_code, d.include_logistics)
$$;
