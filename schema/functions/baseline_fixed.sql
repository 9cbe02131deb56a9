-- Whether district x's baseline was fixed by an earlier transaction (domain.md §8.6.2):
-- from then on the delineation is closed and no change may take effect before the rule
-- window. The transaction that fixes it (landreg_sys.delineate, the demo load) is not
-- held to that: its lines are the delineation. "This transaction fixed it" is read from
-- the district's versions: the current one was written now and the one it replaced (if
-- any) had another baseline.
CREATE OR REPLACE FUNCTION landreg_sys.baseline_fixed(x text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (
  SELECT FROM districts d
  WHERE d.xzqdm = x AND d.baseline_area_m2 IS NOT NULL
    AND (d.sys_from < now()
         OR EXISTS (SELECT FROM districts_history h
                    WHERE h.xzqdm = x AND h.sys_to = now() AND h.sys_from < now()
                      AND h.baseline_area_m2 IS NOT DISTINCT FROM d.baseline_area_m2
                      AND h.baseline_date IS NOT DISTINCT FROM d.baseline_date)));
