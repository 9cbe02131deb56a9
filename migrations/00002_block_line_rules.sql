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
  created_by     text NOT NULL, -- set by adjustment_stamp from the change context
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

-- +goose Down
DROP TRIGGER IF EXISTS block_lines_rule ON block_lines;
DROP FUNCTION IF EXISTS landreg_sys.apply_adjustment(bigint), landreg_sys.block_lines_rule(),
  landreg_sys.check_district(text), landreg_sys.take_reserve(text, smallint, date, double precision, bigint, boolean),
  landreg_sys.reserve_at(text, date), landreg_sys.block_line_totals(text, date), landreg_sys.mu(double precision);
DROP TABLE IF EXISTS block_line_ledger, compensation_use, compensation_reserve, adjustment_parts, adjustments;
