-- An event type as the small integer the status function works with: the kind of
-- landreg_sys.event_types, and the number the generated column parcel_events.kind holds
-- (its expression is in the migrations, 00006 and 00019, which cannot call a function of
-- schema/). A test holds the three equal. IMMUTABLE and SQL-standard, so a call with a
-- constant, event_kind('ANNUAL_INDICATORS'), folds to its number where it is used.
CREATE OR REPLACE FUNCTION landreg_sys.event_kind(type text) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE type
  WHEN 'PROGRESS' THEN 1 WHEN 'SUSPENDED' THEN 2 WHEN 'IDLE_NOTICE' THEN 3 WHEN 'IDLE_DETERMINED' THEN 4
  WHEN 'PRODUCTION_STOPPED' THEN 5 WHEN 'GOV_CAUSE' THEN 6 WHEN 'LAND_DELIVERED' THEN 7 WHEN 'STARTED' THEN 8
  WHEN 'COMPLETED' THEN 9 WHEN 'PRODUCTION_STARTED' THEN 10 WHEN 'RESUMED' THEN 11
  WHEN 'EXTENSION_APPROVED' THEN 12 WHEN 'PLANNING_VERIFIED' THEN 13 WHEN 'ANNUAL_INDICATORS' THEN 14
  WHEN 'RECOVERY_DECIDED' THEN 15 WHEN 'DISPOSED' THEN 16 WHEN 'CONTRACT_SIGNED' THEN 17
  WHEN 'PERMIT_ISSUED' THEN 18 WHEN 'RAMPUP_REVIEWED' THEN 19 WHEN 'IDLE_FEE_LEVIED' THEN 20
  WHEN 'TRANSFERRED' THEN 21 WHEN 'IDLE_FEE_PAID' THEN 22 END;
