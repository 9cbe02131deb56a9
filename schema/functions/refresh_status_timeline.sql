-- Recomputes the status timeline (00025) of the parcels ids (NULL: every parcel), from
-- legal day from_day on (NULL: every day); the caller vouches that the change cannot
-- alter a status before it (status_timeline_upkeep: an event counts from its day, a
-- version from its first day, a policy from its effective date). The ranges before it
-- are kept, and the first new range joins the last kept one when they are equal.
-- landreg_sys.idle_core, as known now, evaluated on every day its input may change
-- (landreg_sys.status_boundaries) and then on every threshold those evaluations
-- return, with equal neighbours merged into one range. Between two of these days the
-- function reads the same state and passes no threshold, so the ranges give exactly
-- what it gives for any day. One statement for any number of parcels: idle_core runs
-- twice, each time on every (parcel, day) pair of its pass at once.
-- Concurrency as for the event digest (refresh_event_digest): the parcels are locked
-- first, and the rows are computed by later statements, whose snapshot (READ
-- COMMITTED) includes whatever a transaction that held the lock committed.
DROP FUNCTION IF EXISTS landreg_sys.refresh_status_timeline(bigint[]);
CREATE OR REPLACE FUNCTION landreg_sys.refresh_status_timeline(ids bigint[], from_day date DEFAULT NULL) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET datestyle = 'ISO, YMD' SET work_mem = '256MB' SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  cells_day date;
BEGIN
  -- A bulk refresh (an import, a district's policy, a rebuild): each statement planned
  -- for its own ids and the tables as they are now. A generic plan is cached for the
  -- session, from the sizes of its first refresh: one made when parcel_events was small
  -- scanned it per holder when a bulk load in the same session had made it large. Up to
  -- the bulk size the cached plan stays: planning status_ranges takes about 80 ms,
  -- more than a holder's few dozen parcels take to refresh.
  IF ids IS NULL OR cardinality(ids) > 1000 THEN
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
  END IF;
  -- A few parcels (an event): the cached plan's hash tables are sized from its
  -- estimates, and joins through parcels_all (a UNION ALL, without statistics of its
  -- own) estimate for one parcel a fixed share of every parcel, so in a large county
  -- each write allocated and zeroed hash tables of tens of megabytes to hold a row or
  -- two; work_mem caps that. A few parcels' rows fit in it many times over.
  IF cardinality(ids) <= 20 THEN
    PERFORM set_config('work_mem', '1MB', true);
  END IF;
  IF ids IS NULL OR cardinality(ids) > 1000 THEN
    LOCK TABLE landreg_sys.status_timeline IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE landreg_sys.status_timeline IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(7310443, (id % 2147483647)::int) FROM unnest(ids) id ORDER BY id;
  END IF;
  -- The map's cells of their day lose what the parcels' points gave it (00035). The lock
  -- comes before the day is read: a new day's rebuild (roll_status_cells) waits for
  -- this refresh, or this one for it.
  LOCK TABLE landreg_sys.status_cells IN ROW EXCLUSIVE MODE;
  SELECT c.day INTO cells_day FROM landreg_sys.status_cells_day c;
  IF ids IS NOT NULL THEN
    WITH gone AS (DELETE FROM landreg_sys.status_points f USING unnest(ids) q(id) WHERE f.parcel_id = q.id RETURNING f.*)
    INSERT INTO landreg_sys.status_cells AS c
    SELECT o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land, -count(*), -sum(o.area_m2), -sum(o.gx), -sum(o.gy)
    FROM gone p CROSS JOIN LATERAL landreg_sys.status_point_on(cells_day, p.starts, p.ends, p.gx, p.gy, p.xzqdm, p.category,
      p.low_efficiency, p.standard_land, p.area_m2) o
    WHERE cells_day IS NOT NULL
    GROUP BY o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land
    ON CONFLICT ON CONSTRAINT status_cells_key DO UPDATE
    SET n = c.n + EXCLUDED.n, area_m2 = c.area_m2 + EXCLUDED.area_m2, sum_gx = c.sum_gx + EXCLUDED.sum_gx,
      sum_gy = c.sum_gy + EXCLUDED.sum_gy;
  END IF;
  IF ids IS NULL THEN
    -- Emptied, not deleted from: a rebuild in one transaction cannot reuse the space of
    -- rows it deleted itself, so each rebuild (every schema change) left the tables
    -- twice their size, and every whole-city read slower (figures 96–110 → 138–160 ms
    -- at 200,310 parcels). Readers wait for the rebuild, as they wait for the schema
    -- it comes with. Every parcel's point is written again below, into empty cells of
    -- the cells' day (today when they have none yet).
    TRUNCATE landreg_sys.status_timeline, landreg_sys.status_figures, landreg_sys.status_points, landreg_sys.status_cells;
    IF cells_day IS NULL THEN
      cells_day := landreg_sys.today();
      INSERT INTO landreg_sys.status_cells_day (day) VALUES (cells_day);
    END IF;
    ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v);
  ELSIF from_day IS NULL THEN
    -- Joined with the ids: an index serves parcel_id = x better than = ANY (ids).
    DELETE FROM landreg_sys.status_timeline t USING unnest(ids) q(id) WHERE t.parcel_id = q.id;
    DELETE FROM landreg_sys.status_figures f USING unnest(ids) q(id) WHERE f.parcel_id = q.id;
  ELSE
    DELETE FROM landreg_sys.status_timeline t USING unnest(ids) q(id)
    WHERE t.parcel_id = q.id AND lower(t.during) >= from_day;
    UPDATE landreg_sys.status_timeline t SET during = daterange(lower(t.during), from_day)
    FROM unnest(ids) q(id) WHERE t.parcel_id = q.id AND t.during @> from_day;
    DELETE FROM landreg_sys.status_figures f USING unnest(ids) q(id) WHERE f.parcel_id = q.id;
  END IF;
  -- A few parcels (an event, a record edit): the plan for a few pairs, index probes; more
  -- (a holder's parcels, an import, a rebuild): the plan for many, hash joins. The
  -- constant is folded into each statement's plan (landreg_sys.status_ranges).
  IF cardinality(ids) <= 20 THEN
    INSERT INTO landreg_sys.status_timeline SELECT * FROM landreg_sys.status_ranges(ids, from_day, true);
  ELSE
    INSERT INTO landreg_sys.status_timeline SELECT * FROM landreg_sys.status_ranges(ids, from_day, false);
  END IF;
  IF from_day IS NOT NULL THEN
    -- Join the first new range to the last kept one where the status did not change.
    WITH joined AS (
      DELETE FROM landreg_sys.status_timeline n USING unnest(ids) q(id), landreg_sys.status_timeline o
      WHERE n.parcel_id = q.id AND lower(n.during) = from_day
        AND o.parcel_id = n.parcel_id AND upper(o.during) = from_day
        AND ROW(o.zddm, o.xzqdm, o.category, o.category_zh, o.since, o.reasons::text, o.deadline, o.idle_fee_wan,
                o.low_efficiency, o.indicator_year, o.tax_per_mu_wan, o.va_per_mu_wan, o.unused_area_m2,
                o.registered_area_m2, o.area_m2)
            IS NOT DISTINCT FROM
            ROW(n.zddm, n.xzqdm, n.category, n.category_zh, n.since, n.reasons::text, n.deadline, n.idle_fee_wan,
                n.low_efficiency, n.indicator_year, n.tax_per_mu_wan, n.va_per_mu_wan, n.unused_area_m2,
                n.registered_area_m2, n.area_m2)
      RETURNING n.parcel_id, upper(n.during) AS up
    )
    UPDATE landreg_sys.status_timeline o SET during = daterange(lower(o.during), j.up)
    FROM joined j WHERE o.parcel_id = j.parcel_id AND upper(o.during) = from_day;
    -- The cut and the join are the only steps that could make two ranges of a parcel
    -- overlap (status_ranges' own ranges follow each other); the table has no exclusion
    -- constraint (00030), so the refresh checks its parcels here.
    IF EXISTS (SELECT 1 FROM unnest(ids) q(id) CROSS JOIN LATERAL (
                 SELECT t.during && lead(t.during) OVER (ORDER BY lower(t.during)) AS overlaps
                 FROM landreg_sys.status_timeline t WHERE t.parcel_id = q.id) r
               WHERE r.overlaps) THEN
      RAISE EXCEPTION 'status timeline: overlapping ranges after a refresh from %', from_day USING ERRCODE = 'XX000';
    END IF;
  END IF;
  -- The figures reports add up, per parcel, from the ranges just written (00032).
  INSERT INTO landreg_sys.status_figures SELECT * FROM landreg_sys.status_figures_rows(ids);
  -- Where the map's cells draw them, from the same ranges and the versions (00035), and
  -- what they now give the cells of the cells' day.
  IF cells_day IS NULL THEN
    INSERT INTO landreg_sys.status_points SELECT * FROM landreg_sys.status_points_rows(ids, cardinality(ids) <= 20);
  ELSE
    WITH made AS (INSERT INTO landreg_sys.status_points SELECT * FROM landreg_sys.status_points_rows(ids, cardinality(ids) <= 20) RETURNING *)
    INSERT INTO landreg_sys.status_cells AS c
    SELECT o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land, count(*), sum(o.area_m2), sum(o.gx), sum(o.gy)
    FROM made p CROSS JOIN LATERAL landreg_sys.status_point_on(cells_day, p.starts, p.ends, p.gx, p.gy, p.xzqdm, p.category,
      p.low_efficiency, p.standard_land, p.area_m2) o
    GROUP BY o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land
    ON CONFLICT ON CONSTRAINT status_cells_key DO UPDATE
    SET n = c.n + EXCLUDED.n, area_m2 = c.area_m2 + EXCLUDED.area_m2, sum_gx = c.sum_gx + EXCLUDED.sum_gx,
      sum_gy = c.sum_gy + EXCLUDED.sum_gy;
    PERFORM landreg_sys.status_cells_tidy();
  END IF;
END
$$;
