-- The policy in force for district x: its row, else the §8.1 defaults (same values as
-- the column defaults above).
CREATE OR REPLACE FUNCTION landreg_sys.policy(x text) RETURNS idle_policy LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT p FROM idle_policy p WHERE p.xzqdm = x),
    ROW(x, 12, 6, 6, 3, 0.20, 5, 10, 0.30, 1.5, DATE '2024-01-01', 0.20, NULL)::idle_policy)
$$;

ALTER FUNCTION landreg_sys.policy(text) PARALLEL SAFE;
