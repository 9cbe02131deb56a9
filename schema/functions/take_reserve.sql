-- Consume up to `need` m² of reserve at level lvl effective on or before t, oldest
-- first (FIFO). Returns what was taken.
CREATE OR REPLACE FUNCTION landreg_sys.take_reserve(x text, lvl smallint, t date, need double precision, adj bigint, preview boolean)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
  r record;
  taken double precision := 0;
  part double precision;
BEGIN
  IF need <= 0 THEN RETURN 0; END IF;
  FOR r IN
    SELECT c.id, c.area_m2 - coalesce((SELECT sum(area_m2) FROM compensation_use WHERE reserve_id = c.id), 0) AS avail
    FROM compensation_reserve c
    WHERE c.xzqdm = x AND c.level = lvl AND c.effective_date <= t
    ORDER BY c.effective_date, c.id
  LOOP
    CONTINUE WHEN r.avail <= 1e-9;
    part := least(r.avail, need - taken);
    IF NOT preview THEN
      INSERT INTO compensation_use (reserve_id, adjustment_id, area_m2, used_on) VALUES (r.id, adj, part, t);
    END IF;
    taken := taken + part;
    EXIT WHEN taken >= need - 1e-9;
  END LOOP;
  RETURN taken;
END
$$;
