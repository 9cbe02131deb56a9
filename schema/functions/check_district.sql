-- The rule check of one district for the current transaction (§8.3), with the 纠错
-- allowance. It compares the versions this transaction closed with those it created:
-- other lines are unchanged and, lines never overlapping, contribute nothing to the
-- difference. The adjustment being applied and whether this is a preview come from the
-- change context (apply_adjustment, preview_adjustment), never from a setting. The rules
-- themselves are the functions named below (in_rule_window, needs_adjustment,
-- correction_reaches, comp_need, draw_order, compensation_short, below_baseline,
-- baseline_fixed, direct_removed_in_year), one file each; this function gathers the
-- areas and applies them. A delineation (划定, 划定更正: landreg_sys.delineate) is the
-- base the rules measure from, so none of them applies to it; its ledger row carries
-- the baseline it fixed.
CREATE OR REPLACE FUNCTION landreg_sys.check_district(x text) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ctx         landreg_sys.change_context := landreg_sys.context();
  dist        districts%ROWTYPE;
  adj         adjustments%ROWTYPE;
  adj_id      bigint := ctx.adjustment_id;
  preview     boolean := coalesce(ctx.preview, false);
  t           date;
  n_dates     integer;
  rem1 double precision; rem2 double precision; add1 double precision; add2 double precision;
  need1 double precision; need2 double precision;
  left1 double precision; left2 double precision;
  need        double precision[];
  left_       double precision[];
  src         record;
  used        double precision := 0;
  got         double precision;
  res_added   double precision := 0;
  free_added  double precision := 0;
  before      record;
  after       record;
  res_after   record;
  total_before double precision;
  total_after  double precision;
  in_window   boolean;
  kind        text;
  review      boolean := false;
  msg         text;
  o1 geometry; o2 geometry; n1 geometry; n2 geometry;
  fix1 geometry; fix2 geometry;
  ex1 double precision := 0; ex2 double precision := 0;
  delineation boolean := false;
  year_removed double precision := 0;
  fig         jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || x));
  SELECT * INTO dist FROM districts WHERE xzqdm = x;

  -- One legal date per change: new versions start on it, closed versions end on it.
  SELECT count(DISTINCT d), max(d) INTO n_dates, t FROM (
    SELECT valid_from AS d FROM block_lines WHERE xzqdm = x AND sys_from = now()
    UNION ALL
    SELECT valid_to FROM block_lines_history WHERE xzqdm = x AND sys_to = now() AND sys_from < now()
  ) s;
  IF n_dates = 0 THEN
    RETURN; -- changes in this district cancelled out within the transaction
  ELSIF n_dates > 1 THEN
    RAISE EXCEPTION '区块线 %: 同一事务中的变更须为同一生效日期 / block lines of %: all changes in one transaction must share one effective date',
      x, x USING ERRCODE = 'LRR02';
  END IF;

  WITH old AS (
    SELECT level, geom FROM block_lines_history WHERE xzqdm = x AND sys_to = now() AND sys_from < now()
  ), new AS (
    SELECT level, geom FROM block_lines WHERE xzqdm = x AND sys_from = now()
  ), u AS (
    SELECT (SELECT ST_Union(geom) FROM old WHERE level = 1) AS o1,
           (SELECT ST_Union(geom) FROM old WHERE level = 2) AS o2,
           (SELECT ST_Union(geom) FROM new WHERE level = 1) AS n1,
           (SELECT ST_Union(geom) FROM new WHERE level = 2) AS n2
  )
  SELECT u.o1, u.o2, u.n1, u.n2 INTO o1, o2, n1, n2 FROM u;
  SELECT coalesce(ST_Area(ST_Difference(o1, coalesce(n1, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0),
         coalesce(ST_Area(ST_Difference(o2, coalesce(n2, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0),
         coalesce(ST_Area(ST_Difference(n1, coalesce(o1, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0),
         coalesce(ST_Area(ST_Difference(n2, coalesce(o2, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0)
  INTO rem1, rem2, add1, add2;

  SELECT * INTO after FROM landreg_sys.block_line_totals(x, t);
  total_after := after.l1 + after.l2;
  total_before := total_after - add1 - add2 + rem1 + rem2;
  -- A district without a configured rule window is not under the rule (ledger only);
  -- an open end on one side means the window is open there.
  in_window := landreg_sys.in_rule_window(dist.rule_start, dist.rule_end, t);

  -- Outside apply_adjustment, a direct editor (QGIS) may name the adjustment in the
  -- adjustment_id attribute of the lines it changes.
  IF adj_id IS NULL THEN
    SELECT count(DISTINCT n.adjustment_id), max(n.adjustment_id) INTO n_dates, adj_id
    FROM block_lines n
    WHERE n.xzqdm = x AND n.sys_from = now() AND n.adjustment_id IS NOT NULL
      AND n.adjustment_id IS DISTINCT FROM (SELECT h.adjustment_id FROM block_lines_history h
                                            WHERE h.id = n.id AND h.sys_from < now()
                                            ORDER BY h.version DESC LIMIT 1);
    IF n_dates > 1 THEN
      RAISE EXCEPTION '区块线 %: 一个事务只能属于一个调整方案 / block lines of %: one transaction may apply one adjustment only', x, x
        USING ERRCODE = 'LRR03';
    END IF;
    -- A direct login may not borrow an old adjustment's date to edit outside the rule
    -- window: dates there are the owner's (the baseline's delineation) to write.
    IF adj_id IS NOT NULL AND NOT coalesce(ctx.trusted, false) AND NOT in_window
       AND (dist.rule_start IS NOT NULL OR dist.rule_end IS NOT NULL) THEN
      RAISE EXCEPTION '调整方案 % 的生效日期 % 在规则期外，不能用于直接编辑 / adjustment % is effective % outside the rule window; a direct edit cannot use it',
        adj_id, t, adj_id, t USING ERRCODE = 'LRR07';
    END IF;
  END IF;

  IF adj_id IS NOT NULL THEN
    SELECT * INTO adj FROM adjustments WHERE id = adj_id;
    IF NOT FOUND OR adj.xzqdm <> x THEN
      RAISE EXCEPTION '调整方案 % 不属于 % / adjustment % does not belong to district %', adj_id, x, adj_id, x
        USING ERRCODE = 'LRR03';
    END IF;
    IF adj.effective_date <> t THEN
      RAISE EXCEPTION '调整方案 % 生效日期为 %，变更日期为 % / adjustment % is effective %, the change is dated %',
        adj_id, adj.effective_date, t, adj_id, adj.effective_date, t USING ERRCODE = 'LRR03';
    END IF;
    -- A delineation is made by landreg_sys.delineate, which names it in the context;
    -- an edit naming one on its rows would borrow its date and its exemption.
    delineation := adj.kind IN ('划定', '划定更正');
    IF delineation AND ctx.adjustment_id IS DISTINCT FROM adj_id THEN
      RAISE EXCEPTION '区块线 %: 编辑不能引用划定或划定更正 % / block lines of %: an edit cannot name the delineation (or its correction) %',
        x, adj_id, x, adj_id USING ERRCODE = 'LRR03';
    END IF;
    IF NOT preview AND NOT delineation AND adj.status NOT IN ('approved', 'applied') THEN
      RAISE EXCEPTION '调整方案 % 未批准（状态 %）/ adjustment % is not approved (status %)', adj_id, adj.status, adj_id, adj.status
        USING ERRCODE = 'LRR04';
    END IF;
  END IF;

  -- §8.6.2: once the baseline is fixed, the delineation is closed: no change takes effect
  -- before the rule window starts (nor on or before the baseline date), whoever writes.
  -- Only a 划定更正 changes the delineation.
  IF NOT delineation AND landreg_sys.baseline_fixed(x)
     AND (t < dist.rule_start OR t <= dist.baseline_date) THEN
    msg := format('区块线 %s 的基数已划定（%s，%s），%s 生效的变更早于规则期起始日 %s；更正划定须以划定更正办理 / the baseline of %s is fixed (%s as of %s): a change effective %s, before the rule window starts (%s), is refused; correcting the delineation needs a 划定更正',
                  x, coalesce(dist.baseline_doc, '—'), dist.baseline_date, t, coalesce(dist.rule_start::text, '—'),
                  x, coalesce(dist.baseline_doc, '—'), dist.baseline_date, t, coalesce(dist.rule_start::text, '—'));
    IF preview THEN
      PERFORM landreg_sys.record_outcome(jsonb_build_object('accepted', false, 'message', msg, 'sqlstate', 'LRR08',
        'removed_m2_l1', rem1, 'removed_m2_l2', rem2, 'added_m2_l1', add1, 'added_m2_l2', add2,
        'total_before_m2', total_before, 'total_after_m2', total_after,
        'total_after_m2_l1', after.l1, 'total_after_m2_l2', after.l2, 'effective_date', t));
      RETURN;
    END IF;
    RAISE EXCEPTION '%', msg USING ERRCODE = 'LRR08', COLUMN = 'valid_from', TABLE = 'block_lines';
  END IF;

  -- 纠错 (domain.md §8.3): land that a direct edit added without review (ledger kind
  -- 'direct', needs_review), effective in the 30 days up to t and recorded in the last
  -- 30 days, may be taken out again by a 纠错 adjustment without compensation. Only
  -- that land: what the edit's new versions cover and the versions it closed did not,
  -- at the level it was added with, and only while the edit's own versions still hold
  -- it (they are the ones this change closes): land removed and drawn again since is
  -- not the edit's any more. The rest of a 纠错 removal is compensated as usual.
  IF in_window AND adj_id IS NOT NULL AND adj.kind = '纠错' AND rem1 + rem2 > 0 THEN
    WITH edits AS (
      SELECT l.recorded_at AS at FROM block_line_ledger l
      WHERE l.xzqdm = x AND l.kind = 'direct' AND l.needs_review
        AND landreg_sys.correction_reaches(l.effective_date, l.recorded_at, t, now())
    ), added AS (
      SELECT nv.level,
             ST_Intersection(
               ST_Difference(ST_Union(nv.geom),
                 coalesce((SELECT ST_Union(ov.geom) FROM block_lines_all ov
                           WHERE ov.xzqdm = x AND ov.sys_to = e.at AND ov.sys_from < e.at),
                          ST_GeomFromText('POLYGON EMPTY', 4490))),
               coalesce((SELECT ST_Union(h.geom) FROM block_lines_history h
                         WHERE h.xzqdm = x AND h.level = nv.level AND h.sys_from = e.at AND h.sys_to = now()),
                        ST_GeomFromText('POLYGON EMPTY', 4490))) AS geom
      FROM edits e JOIN block_lines_all nv ON nv.xzqdm = x AND nv.sys_from = e.at
      GROUP BY e.at, nv.level
    )
    SELECT (SELECT ST_Union(geom) FROM added WHERE level = 1), (SELECT ST_Union(geom) FROM added WHERE level = 2)
    INTO fix1, fix2;
    -- Removed land of each level (old of that level less all new) inside the fixes.
    IF fix1 IS NOT NULL AND o1 IS NOT NULL THEN
      ex1 := coalesce(ST_Area(ST_Intersection(ST_Difference(o1, coalesce(ST_Union(n1, n2), n1, n2,
               ST_GeomFromText('POLYGON EMPTY', 4490))), fix1)::geography), 0);
    END IF;
    IF fix2 IS NOT NULL AND o2 IS NOT NULL THEN
      ex2 := coalesce(ST_Area(ST_Intersection(ST_Difference(o2, coalesce(ST_Union(n1, n2), n1, n2,
               ST_GeomFromText('POLYGON EMPTY', 4490))), fix2)::geography), 0);
    END IF;
    ex1 := least(ex1, rem1);
    ex2 := least(ex2, rem2);
  END IF;

  need1 := CASE WHEN in_window THEN landreg_sys.comp_need(rem1 - ex1, dist.comp_ratio) ELSE 0 END;
  need2 := CASE WHEN in_window THEN landreg_sys.comp_need(rem2 - ex2, dist.comp_ratio) ELSE 0 END;
  left1 := add1;
  left2 := add2;

  IF delineation THEN
    kind := 'delineation';
    need1 := 0; need2 := 0;
  ELSIF NOT in_window THEN
    kind := 'outside-window';
  ELSIF adj_id IS NULL THEN
    -- A direct edit (QGIS, psql, the OGC API): only minor removals, no compensation. The
    -- tolerance is for the calendar year (§8.6.3): this edit's removal together with
    -- those of the district's earlier direct edits of the year, read under the lock.
    IF rem1 + rem2 > 0 THEN
      year_removed := landreg_sys.direct_removed_in_year(x, t);
    END IF;
    IF rem1 + rem2 > 0 AND landreg_sys.needs_adjustment(year_removed + rem1 + rem2, dist.minor_edit_m2) THEN
      msg := format('区块线 %s 调出 %s 亩（%s m²）需经批准的调整方案：%s 年直接编辑已调出 %s m²，合计超过容差 %s m² / removing %s m² (%s mu) from the block lines of %s needs an approved adjustment: direct edits already removed %s m² in %s, and together they exceed the tolerance of %s m² a year',
                    x, landreg_sys.mu(rem1 + rem2), round((rem1 + rem2)::numeric, 2),
                    extract(year FROM t), round(year_removed::numeric, 2), dist.minor_edit_m2,
                    round((rem1 + rem2)::numeric, 2), landreg_sys.mu(rem1 + rem2), x,
                    round(year_removed::numeric, 2), extract(year FROM t), dist.minor_edit_m2);
      IF preview THEN
          PERFORM landreg_sys.record_outcome(jsonb_build_object('accepted', false, 'message', msg));
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = 'LRR01',
        DETAIL = json_build_object('xzqdm', x, 'removed_m2', rem1 + rem2, 'removed_this_year_m2', year_removed,
                                   'year', extract(year FROM t)::int, 'tolerance_m2', dist.minor_edit_m2)::text,
        HINT = '在经批准的调整方案中进行 / make the change inside an approved adjustment';
    END IF;
    need1 := 0; need2 := 0;
    kind := CASE WHEN add1 + add2 > 0 THEN 'direct' ELSE 'minor' END;
    review := add1 + add2 > 0; -- unreviewed additions are flagged for the bureau
  ELSE
    kind := 'adjustment';
  END IF;

  -- Cover the removals of each level, level 1 first, from the sources draw_order names:
  -- this change's additions (what is left of them) or the reserve (FIFO, effective ≤ t).
  need := ARRAY[need1, need2];
  left_ := ARRAY[left1, left2];
  FOR lvl IN 1..2 LOOP
    FOR src IN SELECT o.source, o.from_level FROM landreg_sys.draw_order(lvl::smallint, dist.level_for_level) o ORDER BY o.step LOOP
      IF src.source = 'added' THEN
        got := least(need[lvl], left_[src.from_level]);
        left_[src.from_level] := left_[src.from_level] - got;
      ELSE
        got := landreg_sys.take_reserve(x, src.from_level, t, need[lvl], adj_id, preview);
        used := used + got;
      END IF;
      need[lvl] := need[lvl] - got;
    END LOOP;
  END LOOP;
  need1 := need[1]; need2 := need[2];
  left1 := left_[1]; left2 := left_[2];

  IF landreg_sys.compensation_short(need1) OR landreg_sys.compensation_short(need2) THEN
    msg := format('先补后占/改一补一未满足：区块线 %s 一级缺口 %s 亩，二级缺口 %s 亩（%s 生效） / compensation short in %s on %s: level 1 short %s mu (%s m²), level 2 short %s mu (%s m²)',
                  x, landreg_sys.mu(greatest(need1, 0)), landreg_sys.mu(greatest(need2, 0)), t,
                  x, t, landreg_sys.mu(greatest(need1, 0)), round(greatest(need1, 0)::numeric, 2),
                  landreg_sys.mu(greatest(need2, 0)), round(greatest(need2, 0)::numeric, 2));
    IF preview THEN
      PERFORM landreg_sys.record_outcome(jsonb_build_object('accepted', false, 'message', msg,
        'shortfall_m2_l1', greatest(need1, 0), 'shortfall_m2_l2', greatest(need2, 0),
        'removed_m2_l1', rem1, 'removed_m2_l2', rem2, 'added_m2_l1', add1, 'added_m2_l2', add2,
        'reserve_used_m2', used, 'total_before_m2', total_before, 'total_after_m2', total_after,
        'effective_date', t));
      RETURN;
    END IF;
    RAISE EXCEPTION '%', msg USING ERRCODE = 'LRR01',
      DETAIL = json_build_object('xzqdm', x, 'effective_date', t,
        'shortfall_m2_l1', greatest(need1, 0), 'shortfall_m2_l2', greatest(need2, 0),
        'removed_m2_l1', rem1, 'removed_m2_l2', rem2, 'added_m2_l1', add1, 'added_m2_l2', add2)::text;
  END IF;

  -- Leftover additions: banked by a 补划, otherwise free (they raise `committed`).
  IF kind = 'adjustment' AND adj.kind = '补划' THEN
    IF NOT preview THEN
      IF left1 > 1e-6 THEN
        INSERT INTO compensation_reserve (xzqdm, level, area_m2, source_adjustment_id, effective_date) VALUES (x, 1, left1, adj_id, t);
      END IF;
      IF left2 > 1e-6 THEN
        INSERT INTO compensation_reserve (xzqdm, level, area_m2, source_adjustment_id, effective_date) VALUES (x, 2, left2, adj_id, t);
      END IF;
    END IF;
    res_added := left1 + left2;
  ELSE
    free_added := left1 + left2;
  END IF;

  SELECT * INTO res_after FROM landreg_sys.reserve_at(x, t);
  IF preview THEN
    -- take_reserve did not write, so subtract what it would have used and add the bank.
    res_after.l1 := res_after.l1 + res_added - used; -- level split of a preview is approximate
  END IF;

  -- The figures of the change, as a preview reports them whether it passes or not.
  fig := jsonb_build_object('kind', kind,
      'removed_m2_l1', rem1, 'removed_m2_l2', rem2, 'added_m2_l1', add1, 'added_m2_l2', add2,
      'reserve_used_m2', used, 'reserve_added_m2', res_added, 'free_added_m2', free_added,
      'corrected_m2', ex1 + ex2, 'shortfall_m2_l1', 0, 'shortfall_m2_l2', 0,
      'total_before_m2', total_before, 'total_after_m2', total_after,
      'total_after_m2_l1', after.l1, 'total_after_m2_l2', after.l2,
      'reserve_after_m2', res_after.l1 + res_after.l2, 'baseline_m2', dist.baseline_area_m2, 'effective_date', t);

  IF in_window AND NOT delineation
     AND landreg_sys.below_baseline(total_after, dist.baseline_area_m2, rem1 + rem2, dist.minor_edit_m2) THEN
    msg := format('区块线总面积 %s 亩低于基数 %s 亩 / block-line total %s m² of %s falls below the baseline %s m²',
                  landreg_sys.mu(total_after), landreg_sys.mu(dist.baseline_area_m2),
                  round(total_after::numeric, 2), x, round(dist.baseline_area_m2::numeric, 2));
    IF preview THEN
      -- The figures that failed (issue 14.7): what is removed and added, and the total
      -- against the baseline.
      PERFORM landreg_sys.record_outcome(fig || jsonb_build_object('accepted', false, 'message', msg,
        'baseline_short_m2', dist.baseline_area_m2 - total_after));
      RETURN;
    END IF;
    RAISE EXCEPTION '%', msg USING ERRCODE = 'LRR05';
  END IF;

  IF preview THEN
    PERFORM landreg_sys.record_outcome(fig || jsonb_build_object('accepted', true));
    RETURN;
  END IF;

  INSERT INTO block_line_ledger (xzqdm, effective_date, adjustment_id, kind,
    removed_m2_l1, removed_m2_l2, added_m2_l1, added_m2_l2, reserve_used_m2, reserve_added_m2, free_added_m2,
    total_before_m2, total_after_m2, total_after_m2_l1, total_after_m2_l2, reserve_after_m2, committed_after_m2,
    needs_review, doc_no, actor, reason, corrected_m2, baseline_m2)
  VALUES (x, t, adj_id, kind, rem1, rem2, add1, add2, used, res_added, free_added,
    total_before, total_after, after.l1, after.l2, res_after.l1 + res_after.l2,
    total_after - (res_after.l1 + res_after.l2), review, adj.doc_no, landreg_sys.actor(), landreg_sys.reason(),
    ex1 + ex2, CASE WHEN delineation THEN dist.baseline_area_m2 END);
END
$$;
