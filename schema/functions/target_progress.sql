-- Every target in force at legal date at_date, as known at known_at (NULL: now), with its
-- actual (landreg_sys.target_actual) and how far it is (docs/decisions.md, "Targets,
-- remediation and supply (issue 15)"). expected is the linear share of the value due by
-- at_date (cumulative targets; a level target is due in full); needed_per_year the pace
-- the rest of the period needs (cumulative, period running). status: not_started (the
-- period begins after at_date), no_data, achieved, missed (period over, not reached),
-- on_track (at or above expected), behind.
CREATE OR REPLACE FUNCTION landreg_sys.target_progress(at_date date, known_at timestamptz)
RETURNS TABLE (id bigint, version integer, xzqdm text, kind text, kind_zh text, unit text, measure text,
  value double precision, period_from date, period_to date, supply_method text, above_size_only boolean,
  doc_no text, note text, actual double precision, numerator double precision, denominator double precision,
  basis text, achieved_share double precision, expected double precision, needed_per_year double precision,
  status text)
LANGUAGE sql STABLE AS $$
WITH t AS (
  SELECT t.*, k.zh AS kind_zh, k.measure, k.ord,
    (least(at_date, t.period_to) - t.period_from + 1)::float8 / (t.period_to - t.period_from + 1) AS elapsed,
    (t.period_to - at_date)::float8 AS days_left
  FROM targets_all t JOIN landreg_sys.target_kinds k ON k.code = t.kind
  WHERE t.valid_from <= at_date AND (known_at IS NULL OR t.sys_from <= known_at)
    AND (t.valid_to IS NULL OR t.valid_to > at_date OR (known_at IS NOT NULL AND t.sys_to > known_at))
), a AS (
  SELECT t.*, x.actual, x.numerator, x.denominator, x.basis,
    CASE WHEN at_date < t.period_from THEN 0 WHEN t.measure = 'cumulative' THEN t.value::float8 * t.elapsed ELSE t.value::float8 END AS expected
  FROM t CROSS JOIN LATERAL landreg_sys.target_actual(t.kind, t.xzqdm, t.supply_method, t.above_size_only,
    t.period_from, t.period_to, at_date, known_at) x
)
SELECT a.id, a.version, a.xzqdm, a.kind, a.kind_zh, a.unit, a.measure, a.value::float8, a.period_from, a.period_to,
  a.supply_method, a.above_size_only, a.doc_no, a.note, a.actual, a.numerator, a.denominator, a.basis,
  a.actual / a.value::float8,
  a.expected,
  CASE WHEN a.measure = 'cumulative' AND a.actual IS NOT NULL AND a.days_left > 0
       THEN greatest(a.value::float8 - a.actual, 0) / (least(a.days_left, (a.period_to - a.period_from + 1)) / 365.25) END,
  CASE WHEN at_date < a.period_from THEN 'not_started'
       WHEN a.actual IS NULL THEN 'no_data'
       WHEN a.actual >= a.value::float8 THEN 'achieved'
       WHEN at_date >= a.period_to THEN 'missed'
       WHEN a.measure = 'cumulative' AND a.actual >= a.expected THEN 'on_track'
       ELSE 'behind' END
FROM a
ORDER BY a.xzqdm NULLS FIRST, a.ord, a.period_from, a.id
$$;
