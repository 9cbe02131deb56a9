-- The area that direct edits (no adjustment, so no compensation) removed from district
-- x's block lines in the calendar year of d, as the ledger recorded them: the minor-edit
-- tolerance is for the year, not per transaction (domain.md §8.6.3). Read by the rule
-- check under the district's lock, so two edits at once cannot both count the other
-- out.
CREATE OR REPLACE FUNCTION landreg_sys.direct_removed_in_year(x text, d date) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT coalesce(sum(l.removed_m2_l1 + l.removed_m2_l2), 0) FROM block_line_ledger l
        WHERE l.xzqdm = x AND l.adjustment_id IS NULL AND l.kind IN ('minor', 'direct')
          AND l.effective_date >= date_trunc('year', d)::date
          AND l.effective_date < (date_trunc('year', d) + interval '1 year')::date);
