-- The audit log (audit_log): every row that a statement inserts, updates or deletes in
-- these tables (a bulk insert of parcels: one row naming the versions it wrote), with the actor and reason of the change context, written set-based from
-- the statement's transition tables (landreg_sys.audit). PostgreSQL allows transition
-- tables on one event per trigger, hence three triggers a table. A table of the registry
-- that is not listed here is derived from those that are (history, reserve, digests).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['districts', 'block_lines', 'parcels', 'parcel_events', 'enterprises', 'adjustments',
                           'adjustment_parts', 'idle_policy', 'direct_edit_reviews', 'block_line_ledger', 'api_tokens',
                           'parcel_retirements', 'enterprise_indicators',
                           -- issue 15
                           'targets', 'transfers', 'remediation_projects', 'remediation_project_parcels',
                           'remediation_project_enterprises', 'remediation_events', 'mujun_results'] LOOP
    -- A table whose versions record its rows may audit a bulk insert as one row (landreg_sys.audit).
    EXECUTE format('CREATE TRIGGER %1$s_audit_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit(%2$s)', t, CASE WHEN t = 'parcels' THEN '''versions''' ELSE '' END);
    EXECUTE format('CREATE TRIGGER %1$s_audit_upd AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit()', t);
    EXECUTE format('CREATE TRIGGER %1$s_audit_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit()', t);
  END LOOP;
END
$$;
