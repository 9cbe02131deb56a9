-- Idle land disposed of or recovered (闲置土地处置、收回: 盘活) from from_date to
-- least(to_date, at_date), as known at known_at (NULL: now), for the 腾出/盘活 actual
-- (landreg_sys.target_actual; docs/decisions.md "Disposal of idle land as a procedure
-- (issue 15)"): per parcel its latest DISPOSED or RECOVERY_DECIDED in the period (an
-- extension gives time and frees nothing), the decision (landreg_sys.disposal_decision),
-- and its registered area in 亩 (computed where none is registered) of the version in
-- force on the decision date. remediated: the parcel belongs to a remediation project
-- closed (达标销号, 关停退出) by at_date, whose freed_mu counts its land (in the period the
-- project closed): the actual leaves it out, so no parcel counts twice.
CREATE OR REPLACE FUNCTION landreg_sys.disposed_land(from_date date, to_date date, at_date date, known_at timestamptz)
RETURNS TABLE (parcel_id bigint, xzqdm text, decided_on date, decision text, mu double precision, remediated boolean)
LANGUAGE sql STABLE AS $$
WITH e AS (
  SELECT DISTINCT ON (x.parcel_id) x.parcel_id, x.event_date, landreg_sys.disposal_decision(x.type, x.payload) AS decision
  FROM parcel_events x
  WHERE x.type IN ('DISPOSED', 'RECOVERY_DECIDED') AND x.event_date BETWEEN from_date AND least(to_date, at_date)
    AND (known_at IS NULL OR x.recorded_at <= known_at)
    AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id AND (known_at IS NULL OR s.recorded_at <= known_at))
  ORDER BY x.parcel_id, x.event_date DESC, x.id DESC
)
SELECT e.parcel_id, v.xzqdm, e.event_date, e.decision, v.mu,
  EXISTS (SELECT FROM remediation_project_parcels l
          JOIN remediation_projects_all p ON p.id = l.project_id
          JOIN landreg_sys.remediation_statuses rs ON rs.code = p.status AND rs.closed
          WHERE l.parcel_id = e.parcel_id AND (known_at IS NULL OR l.added_at <= known_at)
            AND p.status_since <= at_date AND p.valid_from <= at_date AND (known_at IS NULL OR p.sys_from <= known_at)
            AND (p.valid_to IS NULL OR p.valid_to > at_date OR (known_at IS NOT NULL AND p.sys_to > known_at)))
FROM e
CROSS JOIN LATERAL (
  SELECT x.xzqdm, landreg_sys.m2_to_mu(coalesce(x.registered_area_m2::float8, x.area_m2)) AS mu
  FROM parcels_all x
  WHERE x.id = e.parcel_id AND (known_at IS NULL OR x.sys_from <= known_at)
  ORDER BY (x.valid_from <= e.event_date) DESC,
    CASE WHEN x.valid_from <= e.event_date THEN x.valid_from END DESC NULLS LAST, x.version DESC
  LIMIT 1) v
$$;
