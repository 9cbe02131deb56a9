-- +goose Up
-- 总量只增不减: adjustments (调整方案), compensation reserve (补划 banked for 先补后占),
-- the block-line ledger, and the commit-time rule check that holds for every writer.
-- The algorithm is domain.md §8.3; deviations are in docs/decisions.md.

-- Adjustments: a proposal with removal and addition parts, applied in one transaction.
CREATE TABLE adjustments (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xzqdm          text NOT NULL REFERENCES districts,
  kind           text NOT NULL CHECK (kind IN ('划定', '调整', '补划', '纠错', '评估优化')),
  status         text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'publicised', 'approved', 'applied', 'rejected', 'withdrawn')),
  doc_no         text,
  reason         text NOT NULL CHECK (reason <> ''),
  effective_date date NOT NULL,
  publicity_from date,
  publicity_to   date,
  approved_on    date,
  approved_by    text,
  applied_at     timestamptz,
  applied_by     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL DEFAULT landreg_sys.actor(),
  CHECK (publicity_to IS NULL OR publicity_from IS NULL OR publicity_to >= publicity_from)
);
CREATE INDEX adjustments_xzqdm ON adjustments (xzqdm, effective_date);
COMMENT ON TABLE adjustments IS '区块线调整方案 / block-line adjustment proposals';

CREATE TABLE adjustment_parts (
  adjustment_id bigint NOT NULL REFERENCES adjustments,
  seq           integer NOT NULL,
  role          text NOT NULL CHECK (role IN ('removal', 'addition')),
  level         smallint CHECK (level IN (1, 2)),
  line_code     text,
  line_name     text,
  geom          geometry(MultiPolygon, 4490) NOT NULL,
  area_m2       double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED,
  PRIMARY KEY (adjustment_id, seq),
  CHECK (role = 'removal' OR level IS NOT NULL)
);
COMMENT ON TABLE adjustment_parts IS '调整方案的调出/调入图斑 / removal and addition polygons of an adjustment';
CREATE TRIGGER adjustment_parts_geom BEFORE INSERT OR UPDATE OF geom ON adjustment_parts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

-- Banked compensation (补划) and its consumption, append-only.
CREATE TABLE compensation_reserve (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xzqdm                text NOT NULL REFERENCES districts,
  level                smallint NOT NULL CHECK (level IN (1, 2)),
  area_m2              double precision NOT NULL CHECK (area_m2 > 0),
  source_adjustment_id bigint REFERENCES adjustments,
  effective_date       date NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX compensation_reserve_fifo ON compensation_reserve (xzqdm, level, effective_date, id);
COMMENT ON TABLE compensation_reserve IS '补划储备 / banked compensation area';

CREATE TABLE compensation_use (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reserve_id    bigint NOT NULL REFERENCES compensation_reserve,
  adjustment_id bigint REFERENCES adjustments,
  area_m2       double precision NOT NULL CHECK (area_m2 > 0),
  used_on       date NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX compensation_use_reserve ON compensation_use (reserve_id);
COMMENT ON TABLE compensation_use IS '补划储备使用记录 / consumption of banked compensation';

-- One row per district per committed change of its block lines.
CREATE TABLE block_line_ledger (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xzqdm              text NOT NULL REFERENCES districts,
  effective_date     date NOT NULL,
  adjustment_id      bigint REFERENCES adjustments,
  kind               text NOT NULL CHECK (kind IN ('adjustment', 'minor', 'direct', 'outside-window')),
  removed_m2_l1      double precision NOT NULL,
  removed_m2_l2      double precision NOT NULL,
  added_m2_l1        double precision NOT NULL,
  added_m2_l2        double precision NOT NULL,
  reserve_used_m2    double precision NOT NULL,
  reserve_added_m2   double precision NOT NULL,
  free_added_m2      double precision NOT NULL,
  total_before_m2    double precision NOT NULL,
  total_after_m2     double precision NOT NULL,
  total_after_m2_l1  double precision NOT NULL,
  total_after_m2_l2  double precision NOT NULL,
  reserve_after_m2   double precision NOT NULL,
  committed_after_m2 double precision NOT NULL,
  needs_review       boolean NOT NULL DEFAULT false,
  doc_no             text,
  actor              text NOT NULL,
  reason             text,
  txid               bigint NOT NULL DEFAULT txid_current(),
  recorded_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX block_line_ledger_xzqdm ON block_line_ledger (xzqdm, effective_date, id);
COMMENT ON TABLE block_line_ledger IS '区块线面积台账 / ledger of block-line area changes';

CREATE TRIGGER compensation_reserve_append_only BEFORE UPDATE OR DELETE ON compensation_reserve
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
CREATE TRIGGER compensation_use_append_only BEFORE UPDATE OR DELETE ON compensation_use
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
CREATE TRIGGER block_line_ledger_append_only BEFORE UPDATE OR DELETE ON block_line_ledger
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
CREATE TRIGGER adjustments_audit_ins AFTER INSERT ON adjustments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER adjustments_audit_upd AFTER UPDATE ON adjustments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

-- Totals of a district's block lines valid at legal date d, per level (lines of one
-- district never overlap, so the sum of areas is the area of the union).
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.block_line_totals(x text, d date, OUT l1 double precision, OUT l2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(area_m2) FILTER (WHERE level = 1), 0),
         coalesce(sum(area_m2) FILTER (WHERE level = 2), 0)
  FROM (
    SELECT level, area_m2 FROM block_lines WHERE xzqdm = x AND valid_from <= d
    UNION ALL
    SELECT level, area_m2 FROM block_lines_history
    WHERE xzqdm = x AND valid_from <= d AND valid_to > d
  ) s
$$;
-- +goose StatementEnd

-- Unconsumed banked compensation at legal date d, per level.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.reserve_at(x text, d date, OUT l1 double precision, OUT l2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(r.area_m2 - coalesce(u.used, 0)) FILTER (WHERE r.level = 1), 0),
         coalesce(sum(r.area_m2 - coalesce(u.used, 0)) FILTER (WHERE r.level = 2), 0)
  FROM compensation_reserve r
  LEFT JOIN LATERAL (SELECT sum(area_m2) AS used FROM compensation_use
                     WHERE reserve_id = r.id AND used_on <= d) u ON true
  WHERE r.xzqdm = x AND r.effective_date <= d
$$;
-- +goose StatementEnd

-- Consume up to `need` m² of reserve at level lvl effective on or before t, oldest
-- first (FIFO). Returns what was taken.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.take_reserve(x text, lvl smallint, t date, need double precision, adj bigint, preview boolean)
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
-- +goose StatementEnd

-- Areas in 亩 for messages.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.mu(m2 double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(round((m2 * 3 / 2000)::numeric, 2), 'FM999999990.00')
$$;
-- +goose StatementEnd

-- The rule check of one district for the current transaction (§8.3). It compares the
-- versions this transaction closed with those it created: other lines are unchanged and,
-- lines never overlapping, contribute nothing to the difference.
-- Settings read: landreg.adjustment_id (an approved adjustment being applied),
-- landreg.preview = 'on' (record the outcome in a temp table instead of raising).
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.check_district(x text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  dist        districts%ROWTYPE;
  adj         adjustments%ROWTYPE;
  adj_id      bigint := nullif(current_setting('landreg.adjustment_id', true), '')::bigint;
  preview     boolean := coalesce(current_setting('landreg.preview', true), '') = 'on';
  t           date;
  n_dates     integer;
  rem1 double precision; rem2 double precision; add1 double precision; add2 double precision;
  k           double precision;
  need1 double precision; need2 double precision;
  left1 double precision; left2 double precision;
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
  SELECT coalesce(ST_Area(ST_Difference(o1, coalesce(n1, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0),
         coalesce(ST_Area(ST_Difference(o2, coalesce(n2, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0),
         coalesce(ST_Area(ST_Difference(n1, coalesce(o1, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0),
         coalesce(ST_Area(ST_Difference(n2, coalesce(o2, ST_GeomFromText('POLYGON EMPTY', 4490)))::geography), 0)
  INTO rem1, rem2, add1, add2 FROM u;

  SELECT * INTO after FROM landreg_sys.block_line_totals(x, t);
  total_after := after.l1 + after.l2;
  total_before := total_after - add1 - add2 + rem1 + rem2;
  -- A district without a configured rule window is not under the rule (ledger only);
  -- an open end on one side means the window is open there.
  in_window := (dist.rule_start IS NOT NULL OR dist.rule_end IS NOT NULL)
               AND (dist.rule_start IS NULL OR t >= dist.rule_start) AND (dist.rule_end IS NULL OR t <= dist.rule_end);

  -- Without the session setting, a direct editor (QGIS) may name the adjustment in the
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
    IF NOT preview AND adj.status NOT IN ('approved', 'applied') THEN
      RAISE EXCEPTION '调整方案 % 未批准（状态 %）/ adjustment % is not approved (status %)', adj_id, adj.status, adj_id, adj.status
        USING ERRCODE = 'LRR04';
    END IF;
  END IF;

  k := coalesce(dist.comp_ratio, 1.0);
  need1 := CASE WHEN in_window THEN k * rem1 ELSE 0 END;
  need2 := CASE WHEN in_window THEN k * rem2 ELSE 0 END;
  left1 := add1;
  left2 := add2;

  IF NOT in_window THEN
    kind := 'outside-window';
  ELSIF adj_id IS NULL THEN
    -- A direct edit (QGIS, psql, the OGC API): only minor removals, no compensation.
    IF rem1 + rem2 > dist.minor_edit_m2 THEN
      msg := format('区块线 %s 调出 %s 亩（%s m²）需经批准的调整方案 / removing %s m² (%s mu) from the block lines of %s needs an approved adjustment (tolerance %s m²)',
                    x, landreg_sys.mu(rem1 + rem2), round((rem1 + rem2)::numeric, 2),
                    round((rem1 + rem2)::numeric, 2), landreg_sys.mu(rem1 + rem2), x, dist.minor_edit_m2);
      IF preview THEN
        CREATE TEMP TABLE IF NOT EXISTS landreg_preview (xzqdm text, outcome jsonb) ON COMMIT DROP;
        INSERT INTO landreg_preview VALUES (x, jsonb_build_object('accepted', false, 'message', msg));
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = 'LRR01',
        DETAIL = json_build_object('xzqdm', x, 'removed_m2', rem1 + rem2, 'tolerance_m2', dist.minor_edit_m2)::text,
        HINT = '在调整方案中进行（SET LOCAL landreg.adjustment_id）/ make the change inside an approved adjustment';
    END IF;
    need1 := 0; need2 := 0;
    kind := CASE WHEN add1 + add2 > 0 THEN 'direct' ELSE 'minor' END;
    review := add1 + add2 > 0; -- unreviewed additions are flagged for the bureau
  ELSE
    kind := 'adjustment';
  END IF;

  -- Cover level-1 removals: level-1 additions, then level-1 reserve (FIFO, effective ≤ t).
  got := least(need1, left1); need1 := need1 - got; left1 := left1 - got;
  got := landreg_sys.take_reserve(x, 1::smallint, t, need1, adj_id, preview); need1 := need1 - got; used := used + got;
  IF NOT coalesce(dist.level_for_level, true) THEN
    got := least(need1, left2); need1 := need1 - got; left2 := left2 - got;
    got := landreg_sys.take_reserve(x, 2::smallint, t, need1, adj_id, preview); need1 := need1 - got; used := used + got;
  END IF;
  -- Level-2 removals: level-2 additions, leftover level-1 additions, then reserve 2, then 1.
  got := least(need2, left2); need2 := need2 - got; left2 := left2 - got;
  got := least(need2, left1); need2 := need2 - got; left1 := left1 - got;
  got := landreg_sys.take_reserve(x, 2::smallint, t, need2, adj_id, preview); need2 := need2 - got; used := used + got;
  got := landreg_sys.take_reserve(x, 1::smallint, t, need2, adj_id, preview); need2 := need2 - got; used := used + got;

  IF need1 > 1e-6 OR need2 > 1e-6 THEN
    msg := format('先补后占/改一补一未满足：区块线 %s 一级缺口 %s 亩，二级缺口 %s 亩（%s 生效） / compensation short in %s on %s: level 1 short %s mu (%s m²), level 2 short %s mu (%s m²)',
                  x, landreg_sys.mu(greatest(need1, 0)), landreg_sys.mu(greatest(need2, 0)), t,
                  x, t, landreg_sys.mu(greatest(need1, 0)), round(greatest(need1, 0)::numeric, 2),
                  landreg_sys.mu(greatest(need2, 0)), round(greatest(need2, 0)::numeric, 2));
    IF preview THEN
      CREATE TEMP TABLE IF NOT EXISTS landreg_preview (xzqdm text, outcome jsonb) ON COMMIT DROP;
      INSERT INTO landreg_preview VALUES (x, jsonb_build_object('accepted', false, 'message', msg,
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

  IF in_window AND dist.baseline_area_m2 IS NOT NULL
     AND total_after < dist.baseline_area_m2 * (1 - 1e-9) - 1e-6 AND rem1 + rem2 > dist.minor_edit_m2 THEN
    msg := format('区块线总面积 %s 亩低于基数 %s 亩 / block-line total %s m² of %s falls below the baseline %s m²',
                  landreg_sys.mu(total_after), landreg_sys.mu(dist.baseline_area_m2),
                  round(total_after::numeric, 2), x, round(dist.baseline_area_m2::numeric, 2));
    IF preview THEN
      CREATE TEMP TABLE IF NOT EXISTS landreg_preview (xzqdm text, outcome jsonb) ON COMMIT DROP;
      INSERT INTO landreg_preview VALUES (x, jsonb_build_object('accepted', false, 'message', msg));
      RETURN;
    END IF;
    RAISE EXCEPTION '%', msg USING ERRCODE = 'LRR05';
  END IF;

  IF preview THEN
    CREATE TEMP TABLE IF NOT EXISTS landreg_preview (xzqdm text, outcome jsonb) ON COMMIT DROP;
    INSERT INTO landreg_preview VALUES (x, jsonb_build_object('accepted', true, 'kind', kind,
      'removed_m2_l1', rem1, 'removed_m2_l2', rem2, 'added_m2_l1', add1, 'added_m2_l2', add2,
      'reserve_used_m2', used, 'reserve_added_m2', res_added, 'free_added_m2', free_added,
      'shortfall_m2_l1', 0, 'shortfall_m2_l2', 0,
      'total_before_m2', total_before, 'total_after_m2', total_after,
      'total_after_m2_l1', after.l1, 'total_after_m2_l2', after.l2,
      'reserve_after_m2', res_after.l1 + res_after.l2, 'effective_date', t));
    RETURN;
  END IF;

  INSERT INTO block_line_ledger (xzqdm, effective_date, adjustment_id, kind,
    removed_m2_l1, removed_m2_l2, added_m2_l1, added_m2_l2, reserve_used_m2, reserve_added_m2, free_added_m2,
    total_before_m2, total_after_m2, total_after_m2_l1, total_after_m2_l2, reserve_after_m2, committed_after_m2,
    needs_review, doc_no, actor, reason)
  VALUES (x, t, adj_id, kind, rem1, rem2, add1, add2, used, res_added, free_added,
    total_before, total_after, after.l1, after.l2, res_after.l1 + res_after.l2,
    total_after - (res_after.l1 + res_after.l2), review, adj.doc_no, landreg_sys.actor(), landreg_sys.reason());
END
$$;
-- +goose StatementEnd

-- Constraint trigger body: check each touched district once per transaction, at commit.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.block_lines_rule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  x text;
  done text := coalesce(current_setting('landreg.rule_checked', true), '');
BEGIN
  FOREACH x IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.xzqdm END,
                           CASE WHEN TG_OP <> 'DELETE' THEN NEW.xzqdm END] LOOP
    CONTINUE WHEN x IS NULL OR position(':' || x || ':' IN done) > 0;
    PERFORM landreg_sys.check_district(x);
    done := done || ':' || x || ':';
    PERFORM set_config('landreg.rule_checked', done, true);
  END LOOP;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER block_lines_rule AFTER INSERT OR UPDATE OR DELETE ON block_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_rule();

-- Applying an adjustment: cut the removal parts out of the district's current lines and
-- add the addition parts (to a named line of the same level, or as a new line). The rule
-- check runs at commit (or at SET CONSTRAINTS ... IMMEDIATE for a preview).
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.apply_adjustment(aid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  a       adjustments%ROWTYPE;
  preview boolean := coalesce(current_setting('landreg.preview', true), '') = 'on';
  cut     geometry;
  l       record;
  p       record;
  g       geometry;
  seqno   integer;
BEGIN
  SELECT * INTO a FROM adjustments WHERE id = aid FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION '调整方案 % 不存在 / adjustment % does not exist', aid, aid USING ERRCODE = 'LRA01';
  END IF;
  IF preview THEN
    IF a.status IN ('applied', 'rejected', 'withdrawn') THEN
      RAISE EXCEPTION '调整方案 % 已%，无法预览 / adjustment % is %, nothing to preview', aid, a.status, aid, a.status USING ERRCODE = 'LRA02';
    END IF;
  ELSIF a.status <> 'approved' THEN
    RAISE EXCEPTION '调整方案 % 未批准（状态 %）/ adjustment % is not approved (status %)', aid, a.status, aid, a.status
      USING ERRCODE = 'LRA02';
  END IF;
  PERFORM set_config('landreg.adjustment_id', aid::text, true);
  PERFORM set_config('landreg.effective_date', a.effective_date::text, true);
  IF a.reason IS NOT NULL AND coalesce(current_setting('landreg.reason', true), '') = '' THEN
    PERFORM set_config('landreg.reason', a.reason, true);
  END IF;

  SELECT ST_Union(geom) INTO cut FROM adjustment_parts WHERE adjustment_id = aid AND role = 'removal';
  IF cut IS NOT NULL THEN
    FOR l IN SELECT id, geom FROM block_lines
             WHERE xzqdm = a.xzqdm AND geom && cut AND ST_Relate(geom, cut, '2********') ORDER BY id LOOP
      g := ST_Multi(ST_CollectionExtract(ST_Difference(l.geom, cut), 3));
      IF ST_IsEmpty(g) OR ST_Area(g::geography) < 0.01 THEN
        DELETE FROM block_lines WHERE id = l.id;
      ELSE
        UPDATE block_lines SET geom = g, adjustment_id = aid, approval_doc = coalesce(a.doc_no, approval_doc),
                               valid_from = a.effective_date
        WHERE id = l.id;
      END IF;
    END LOOP;
  END IF;

  FOR p IN SELECT * FROM adjustment_parts WHERE adjustment_id = aid AND role = 'addition' ORDER BY seq LOOP
    IF p.line_code IS NOT NULL AND EXISTS (SELECT 1 FROM block_lines WHERE code = p.line_code) THEN
      SELECT id, level, xzqdm, geom INTO l FROM block_lines WHERE code = p.line_code;
      IF l.level <> p.level OR l.xzqdm <> a.xzqdm THEN
        RAISE EXCEPTION '调入图斑 % 的级别或行政区与区块线 % 不符 / addition % does not match the level or district of line %',
          p.seq, p.line_code, p.seq, p.line_code USING ERRCODE = 'LRA03';
      END IF;
      UPDATE block_lines SET geom = ST_Multi(ST_CollectionExtract(ST_Union(l.geom, p.geom), 3)),
                             adjustment_id = aid, approval_doc = coalesce(a.doc_no, approval_doc),
                             valid_from = a.effective_date
      WHERE id = l.id;
    ELSE
      SELECT coalesce(max(substring(code FROM '-GYQK-([0-9]+)$')::int), 0) + 1 INTO seqno
      FROM (SELECT code FROM block_lines WHERE xzqdm = a.xzqdm
            UNION ALL SELECT code FROM block_lines_history WHERE xzqdm = a.xzqdm) c;
      INSERT INTO block_lines (code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from)
      VALUES (coalesce(p.line_code, format('%s-GYQK-%s', a.xzqdm, lpad(seqno::text, 2, '0'))),
              coalesce(p.line_name, format('%s调入区块%s', CASE p.level WHEN 1 THEN '一级' ELSE '二级' END, seqno)),
              a.xzqdm, p.level, p.geom, a.doc_no, aid, a.effective_date);
    END IF;
  END LOOP;

  IF NOT preview THEN
    UPDATE adjustments SET status = 'applied', applied_at = now(), applied_by = landreg_sys.actor() WHERE id = aid;
  END IF;
END
$$;
-- +goose StatementEnd

-- Trigger functions write history, audit and ledger rows that the editing role may not
-- write itself (a QGIS planner role can edit block_lines only), so they run as their
-- owner with a fixed search_path.
ALTER FUNCTION landreg_sys.version_row() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION landreg_sys.audit() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION landreg_sys.block_lines_rule() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION landreg_sys.block_lines_no_overlap() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION landreg_sys.parcel_event_check() SECURITY DEFINER SET search_path = public, pg_temp;

-- Seed per-district rule settings for districts that have none yet is the fixtures' job;
-- nothing to seed here.

-- +goose Down
DROP TRIGGER IF EXISTS block_lines_rule ON block_lines;
DROP FUNCTION IF EXISTS landreg_sys.apply_adjustment(bigint), landreg_sys.block_lines_rule(),
  landreg_sys.check_district(text), landreg_sys.take_reserve(text, smallint, date, double precision, bigint, boolean),
  landreg_sys.reserve_at(text, date), landreg_sys.block_line_totals(text, date), landreg_sys.mu(double precision);
DROP TABLE IF EXISTS block_line_ledger, compensation_use, compensation_reserve, adjustment_parts, adjustments;
