-- 在建逾期 (UNDERUSED, domain.md §2.2 (a)): started, not completed, and at_date on or
-- after the agreed completion plus grace. Returns that day, NULL when it does not hold
-- (or no completion date was agreed).
CREATE OR REPLACE FUNCTION landreg_sys.construction_overdue(started date, completed date,
  agreed_completion date, grace_months integer, at_date date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN started IS NOT NULL AND completed IS NULL AND agreed_completion IS NOT NULL
             AND at_date >= landreg_sys.completion_due(agreed_completion, grace_months)
            THEN landreg_sys.completion_due(agreed_completion, grace_months) END;
