-- The disposal of idle land (闲置土地处置, domain.md §2.1, §7.1, §8.6 rulings 9, 10, 14) for
-- the parcels ids as of legal date at_date, as known at known_at (NULL = now): the same
-- events as idle_core (recorded by known_at, minus those replaced by a correction
-- recorded by then), read directly: the reports ask it for their few idle parcels only.
--  * stage (landreg_sys.disposal_stages): RECOVERED once a recovery is decided; else the
--    stage of the latest of IDLE_NOTICE (SURVEY), IDLE_DETERMINED (DETERMINED),
--    IDLE_FEE_LEVIED / IDLE_FEE_PAID (FEE), EXTENSION_APPROVED (EXTENDED, while the new
--    deadline has not run a year: after that the parcel can be idle again), DISPOSED
--    (SWAPPED when its method names 置换, else DISPOSED); PENDING without any.
--  * fee_levied_wan, fee_paid_wan: sums of IDLE_FEE_LEVIED and IDLE_FEE_PAID amount_wan.
--  * recovery_basis, compensation_wan: of the latest RECOVERY_DECIDED.
--  * gov_cause_unresolved: the day 90 days after every government cause ended, when no
--    disposal (extension, disposal, recovery) was recorded on or after the end
--    (原因消除未处置, ruling 14); NULL otherwise or while a cause is ongoing.
CREATE OR REPLACE FUNCTION landreg_sys.idle_disposal(at_date date, known_at timestamptz, ids bigint[])
RETURNS TABLE (parcel_id bigint, stage text, stage_zh text, stage_since date, fee_levied_wan numeric,
  fee_paid_wan numeric, recovery_basis text, recovery_basis_zh text, compensation_wan numeric,
  gov_cause_unresolved date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH e AS (
  SELECT x.id, x.parcel_id, x.type, x.event_date, x.payload,
    CASE x.type
      WHEN 'IDLE_NOTICE' THEN 'SURVEY'
      WHEN 'IDLE_DETERMINED' THEN 'DETERMINED'
      WHEN 'IDLE_FEE_LEVIED' THEN 'FEE'
      WHEN 'IDLE_FEE_PAID' THEN 'FEE'
      WHEN 'EXTENSION_APPROVED' THEN CASE
        WHEN at_date < landreg_sys.idle_since((x.payload ->> 'new_start_deadline')::date, 1) THEN 'EXTENDED' END
      WHEN 'RECOVERY_DECIDED' THEN 'RECOVERED'
      WHEN 'DISPOSED' THEN CASE WHEN x.payload ->> 'method' LIKE '%置换%' THEN 'SWAPPED' ELSE 'DISPOSED' END
    END AS stage
  FROM parcel_events x
  WHERE x.parcel_id = ANY (ids) AND x.event_date <= at_date
    AND (known_at IS NULL OR x.recorded_at <= known_at)
    AND x.type IN ('IDLE_NOTICE', 'IDLE_DETERMINED', 'IDLE_FEE_LEVIED', 'IDLE_FEE_PAID', 'EXTENSION_APPROVED',
                   'RECOVERY_DECIDED', 'DISPOSED', 'GOV_CAUSE')
    AND NOT EXISTS (SELECT 1 FROM parcel_events s
                    WHERE s.supersedes = x.id AND (known_at IS NULL OR s.recorded_at <= known_at))
),
a AS (
  SELECT e.parcel_id,
    sum((e.payload ->> 'amount_wan')::numeric) FILTER (WHERE e.type = 'IDLE_FEE_LEVIED') AS levied,
    sum((e.payload ->> 'amount_wan')::numeric) FILTER (WHERE e.type = 'IDLE_FEE_PAID') AS paid,
    -- Government causes that have begun by at_date; ongoing ones end at infinity.
    max(coalesce((e.payload ->> 'to')::date, 'infinity'))
      FILTER (WHERE e.type = 'GOV_CAUSE' AND (e.payload ->> 'from')::date <= at_date) AS gov_ended,
    max(e.event_date) FILTER (WHERE e.type IN ('EXTENSION_APPROVED', 'DISPOSED', 'RECOVERY_DECIDED')) AS last_disposal
  FROM e GROUP BY e.parcel_id
),
-- Set-based (DISTINCT ON rather than a lateral LIMIT 1 per parcel): one pass however
-- many parcels are asked for.
st AS (
  SELECT DISTINCT ON (e.parcel_id) e.parcel_id, e.stage, e.event_date FROM e WHERE e.stage IS NOT NULL
  ORDER BY e.parcel_id, e.stage = 'RECOVERED' DESC, e.event_date DESC, e.id DESC
),
rec AS (
  SELECT DISTINCT ON (e.parcel_id) e.parcel_id, e.payload ->> 'basis' AS basis,
    (e.payload ->> 'compensation_wan')::numeric AS compensation
  FROM e WHERE e.type = 'RECOVERY_DECIDED'
  ORDER BY e.parcel_id, e.event_date DESC, e.id DESC
)
SELECT i.id, coalesce(st.stage, 'PENDING'), ds.zh, st.event_date,
  coalesce(a.levied, 0), coalesce(a.paid, 0), rec.basis, rb.zh, rec.compensation,
  CASE WHEN a.gov_ended < 'infinity' AND a.gov_ended + 90 <= at_date
        AND (a.last_disposal IS NULL OR a.last_disposal < a.gov_ended)
       THEN a.gov_ended + 90 END
FROM unnest(ids) i(id)
LEFT JOIN a ON a.parcel_id = i.id
LEFT JOIN st ON st.parcel_id = i.id
LEFT JOIN rec ON rec.parcel_id = i.id
LEFT JOIN landreg_sys.disposal_stages ds ON ds.code = coalesce(st.stage, 'PENDING')
LEFT JOIN landreg_sys.recovery_bases rb ON rb.code = rec.basis
$$;
