-- Whether a change effective on d is under the 总量只增不减 rule (domain.md §1.3,
-- docs/decisions.md "Rule window"): a district without rule_start and rule_end is not
-- under the rule at all; an open end on one side leaves the window open there; both
-- ends are included.
CREATE OR REPLACE FUNCTION landreg_sys.in_rule_window(rule_start date, rule_end date, d date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (rule_start IS NOT NULL OR rule_end IS NOT NULL)
   AND (rule_start IS NULL OR d >= rule_start) AND (rule_end IS NULL OR d <= rule_end);
