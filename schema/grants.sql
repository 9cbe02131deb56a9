-- Privileges, re-applied with the rest of schema/ (views are re-created, so their grants
-- are given again here). The owner role owns everything; the group roles a bureau grants
-- to its people's logins are landreg_reader (read every registry table) and
-- landreg_planner (a reader that edits block lines, as in QGIS). History, audit, ledger
-- and reserve rows are written for them by SECURITY DEFINER triggers. See docs/qgis.md.

-- Functions that write privileged state (the change context, the ledger, reserve uses)
-- or apply adjustments are the owner's alone: PUBLIC may execute functions by default.
REVOKE EXECUTE ON FUNCTION
  landreg_sys.begin_change(text, text, date),
  landreg_sys.ensure_context(),
  landreg_sys.forget_finished_contexts(),
  landreg_sys.record_outcome(jsonb),
  landreg_sys.check_district(text),
  landreg_sys.take_reserve(text, smallint, date, double precision, bigint, boolean),
  landreg_sys.adjustment_for_edit(bigint, boolean),
  landreg_sys.edit_lines_for(adjustments),
  landreg_sys.apply_adjustment(bigint),
  landreg_sys.delineate(bigint),
  landreg_sys.preview_adjustment(bigint),
  landreg_sys.approve_adjustment(bigint, date, text, text),
  landreg_sys.refresh_event_digest(bigint[]),
  landreg_sys.refresh_status_timeline(bigint[], date),
  landreg_sys.roll_status_cells(date, boolean),
  landreg_sys.status_cells_tidy(),
  landreg_sys.district_close(districts, date, boolean)
FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_reader') THEN
    GRANT USAGE ON SCHEMA public, landreg_sys TO landreg_reader;
    GRANT SELECT ON districts, districts_history, districts_all, parcel_retirements, block_lines, block_lines_history, block_lines_all, parcels, parcels_history,
      parcels_all, parcel_events, adjustments, adjustment_parts, compensation_reserve, compensation_use,
      block_line_ledger, enterprises, enterprise_indicators, enterprise_indicators_history, idle_policy, idle_policy_history, idle_policy_all, direct_edit_reviews TO landreg_reader;
    -- The collections exactly as the API serves them (schema/views/collection_*.sql);
    -- collection_parcel_status() runs as its caller and reads the tables above.
    -- Targets, remediation and official 亩均 classes (issue 15).
    GRANT SELECT ON targets, targets_history, targets_all, transfers, transfers_history, transfers_all,
      remediation_projects, remediation_projects_history, remediation_projects_all, remediation_project_parcels,
      remediation_project_enterprises, remediation_events, mujun_results, mujun_results_history, mujun_results_all,
      collection_remediation_projects, landreg_sys.target_kinds, landreg_sys.remediation_methods,
      landreg_sys.remediation_statuses TO landreg_reader;
    GRANT SELECT ON collection_districts, collection_districts_all, collection_block_lines, collection_block_lines_all,
      collection_parcels, collection_parcels_all TO landreg_reader;
    -- spatial_ref_sys is PostGIS's (the set-up superuser's); PUBLIC may read it.
    -- The status functions read the digest of events and the vocabulary (00014).
    GRANT SELECT ON landreg_sys.parcel_event_digest, landreg_sys.status_timeline, landreg_sys.status_figures, landreg_sys.status_points, landreg_sys.status_cells, landreg_sys.status_cells_day, landreg_sys.value_bounds, landreg_sys.event_types,
      landreg_sys.idle_categories, landreg_sys.disposal_stages, landreg_sys.recovery_bases TO landreg_reader;
    -- The idle-land disposal procedure's vocabulary (00026).
    GRANT SELECT ON landreg_sys.disposal_decisions, landreg_sys.disposal_steps TO landreg_reader;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_planner') THEN
    -- Set-up makes planners readers; granting it again would need ADMIN OPTION.
    IF NOT pg_has_role('landreg_planner', 'landreg_reader', 'MEMBER') THEN
      GRANT landreg_reader TO landreg_planner;
    END IF;
    GRANT INSERT, UPDATE, DELETE ON block_lines TO landreg_planner;
    GRANT USAGE ON SEQUENCE block_lines_id_seq TO landreg_planner;
    -- Planners keep remediation projects in QGIS too; the status chain, the frozen
    -- closed projects and the dated record hold for them (schema/triggers/remediation_*).
    -- Targets, transfers and official classes are the admins' (the API), not theirs.
    GRANT INSERT, UPDATE, DELETE ON remediation_projects, remediation_project_parcels, remediation_project_enterprises
      TO landreg_planner;
    GRANT INSERT ON remediation_events TO landreg_planner;
    GRANT USAGE ON SEQUENCE remediation_projects_id_seq, remediation_events_id_seq TO landreg_planner;
  END IF;
END
$$;
