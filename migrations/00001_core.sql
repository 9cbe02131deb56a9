-- +goose Up
-- Core schema: districts, block lines and parcels with full history, parcel events,
-- and the audit log. Invariants live here so that every writer (the API, QGIS on a
-- direct PostgreSQL connection, psql) is held to them.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE SCHEMA IF NOT EXISTS landreg_sys;

-- Who is writing: the API sets landreg.actor per transaction (SET LOCAL); a direct
-- database client falls back to its login role, prefixed so auditors can tell.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.actor() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('landreg.actor', true), ''), 'db:' || session_user)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION landreg_sys.reason() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('landreg.reason', true), '')
$$;
-- +goose StatementEnd

-- The legal date a change takes effect. Direct edits without a stated date take
-- effect today (Asia/Shanghai civil date, see docs/decisions.md).
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.effective_date() RETURNS date LANGUAGE plpgsql STABLE AS $$
DECLARE s text := nullif(current_setting('landreg.effective_date', true), '');
BEGIN
  IF s IS NULL THEN
    RETURN (now() AT TIME ZONE 'Asia/Shanghai')::date;
  END IF;
  RETURN s::date;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RAISE EXCEPTION '生效日期无效 / invalid landreg.effective_date: %', s
    USING ERRCODE = 'LR001';
END
$$;
-- +goose StatementEnd

-- The human key of a row for messages (its code), without converting the geometry:
-- only called on the error path.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.row_key(r anyelement) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE j jsonb;
BEGIN
  j := to_jsonb(r) - 'geom';
  RETURN coalesce(j->>'code', j->>'zddm', j->>'xzqdm', j->>'line_code', '?');
END
$$;
-- +goose StatementEnd

-- Geometry gate for every polygon column: valid, non-empty, and plausibly in China
-- with lon/lat axis order. Errors carry the reason and location so QGIS shows them.
-- SQLSTATE class LR: LRG01 invalid, LRG02 empty, LRG03 outside China / swapped axes.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.check_geom() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key text;
  env box2d;
BEGIN
  IF NEW.geom IS NULL THEN
    RETURN NEW; -- NOT NULL constraints report this with the column name
  END IF;
  IF ST_IsEmpty(NEW.geom) THEN
    key := landreg_sys.row_key(NEW);
    RAISE EXCEPTION '几何为空 / empty geometry (%)', key
      USING ERRCODE = 'LRG02', COLUMN = 'geom', TABLE = TG_TABLE_NAME;
  END IF;
  IF NOT ST_IsValid(NEW.geom) THEN
    key := landreg_sys.row_key(NEW);
    RAISE EXCEPTION '几何无效 / invalid geometry (%): %', key, ST_IsValidReason(NEW.geom)
      USING ERRCODE = 'LRG01', COLUMN = 'geom', TABLE = TG_TABLE_NAME,
            DETAIL = ST_IsValidReason(NEW.geom),
            HINT = '请修正自相交或重复点后重试 / fix self-intersections or repeated rings and retry';
  END IF;
  env := Box2D(NEW.geom);
  IF ST_XMin(env) < 73 OR ST_XMax(env) > 135.5 OR ST_YMin(env) < 3 OR ST_YMax(env) > 54 THEN
    key := landreg_sys.row_key(NEW);
    RAISE EXCEPTION '坐标超出中国范围 (%): 可能是坐标系或经纬度顺序错误 / coordinates outside China (%): wrong CRS or swapped lon/lat axes? bbox %',
      key, key, env::text
      USING ERRCODE = 'LRG03', COLUMN = 'geom', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd

-- Versioning for tables that keep history (block_lines, parcels). The history table
-- holds its own columns first, then exactly the current table's columns in order, so a
-- later ALTER TABLE ... ADD COLUMN on both keeps them aligned.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.version_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  eff date := landreg_sys.effective_date();
  adj text;
BEGIN
  -- Only block lines carry an adjustment; reading it by name keeps this trigger generic.
  IF TG_OP <> 'DELETE' AND TG_TABLE_NAME = 'block_lines' THEN
    adj := to_jsonb(NEW)->>'adjustment_id';
  END IF;
  -- A direct editor naming an adjustment on the row edits as of that adjustment's date.
  IF adj IS NOT NULL AND nullif(current_setting('landreg.effective_date', true), '') IS NULL
     AND (TG_OP = 'INSERT' OR adj IS DISTINCT FROM to_jsonb(OLD)->>'adjustment_id')
     AND to_regclass('adjustments') IS NOT NULL THEN
    EXECUTE 'SELECT coalesce((SELECT effective_date FROM adjustments WHERE id = $1::bigint), $2)'
      INTO eff USING adj, eff;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Generated columns (area_m2) are not yet computed in NEW, so compare the rest;
    -- geometry by its exact bytes, since jsonb would round coordinates.
    IF (to_jsonb(NEW) - 'area_m2' - 'geom') = (to_jsonb(OLD) - 'area_m2' - 'geom')
       AND ST_AsEWKB(NEW.geom) = ST_AsEWKB(OLD.geom) THEN
      RETURN NULL; -- nothing changed: no new version, no audit row
    END IF;
    IF NEW.id <> OLD.id THEN
      RAISE EXCEPTION '不可修改标识 / id is immutable (% → %)', OLD.id, NEW.id
        USING ERRCODE = 'LR002', COLUMN = 'id', TABLE = TG_TABLE_NAME;
    END IF;
    IF NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from THEN
      NEW.valid_from := greatest(eff, OLD.valid_from);
    END IF;
    IF NEW.valid_from < OLD.valid_from THEN
      RAISE EXCEPTION '新版本生效日期 % 早于上一版本 % / a new version cannot take effect (%) before the version it replaces (%)',
        NEW.valid_from, OLD.valid_from, NEW.valid_from, OLD.valid_from
        USING ERRCODE = 'LR003', COLUMN = 'valid_from', TABLE = TG_TABLE_NAME;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    EXECUTE format('INSERT INTO %I.%I SELECT $1, $2, false, $3, $4, ($5).*',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history')
      USING NEW.valid_from, now(), landreg_sys.actor(), landreg_sys.reason(), OLD;
    RETURN NEW;
  ELSIF TG_OP = 'DELETE' THEN
    -- A delete retires the row: its last version goes to history with its end.
    EXECUTE format('INSERT INTO %I.%I SELECT $1, $2, true, $3, $4, ($5).*',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history')
      USING greatest(eff, OLD.valid_from), now(), landreg_sys.actor(), landreg_sys.reason(), OLD;
    RETURN OLD;
  ELSE -- INSERT
    NEW.version := 1;
    NEW.sys_from := now();
    NEW.created_by := coalesce(NEW.created_by, landreg_sys.actor());
    NEW.reason := coalesce(NEW.reason, landreg_sys.reason());
    NEW.valid_from := coalesce(NEW.valid_from, eff);
    RETURN NEW;
  END IF;
END
$$;
-- +goose StatementEnd

-- Audit: one row per changed row, written set-based from transition tables so bulk
-- loads stay fast. The row key is id where the table has one, else its code.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit_log (table_name, op, row_key, actor, reason, new_row)
    SELECT TG_TABLE_NAME, 'INSERT', coalesce(j->>'id', j->>'xzqdm'), landreg_sys.actor(), landreg_sys.reason(), j
    FROM (SELECT to_jsonb(n) AS j FROM new_rows n) s;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit_log (table_name, op, row_key, actor, reason, old_row, new_row)
    SELECT TG_TABLE_NAME, 'UPDATE', o.k, landreg_sys.actor(), landreg_sys.reason(), o.j, n.j
    FROM (SELECT coalesce(to_jsonb(x)->>'id', to_jsonb(x)->>'xzqdm') AS k, to_jsonb(x) AS j FROM old_rows x) o
    JOIN (SELECT coalesce(to_jsonb(x)->>'id', to_jsonb(x)->>'xzqdm') AS k, to_jsonb(x) AS j FROM new_rows x) n USING (k);
  ELSE
    INSERT INTO audit_log (table_name, op, row_key, actor, reason, old_row)
    SELECT TG_TABLE_NAME, 'DELETE', coalesce(j->>'id', j->>'xzqdm'), landreg_sys.actor(), landreg_sys.reason(), j
    FROM (SELECT to_jsonb(o) AS j FROM old_rows o) s;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  txid       bigint NOT NULL DEFAULT txid_current(),
  actor      text NOT NULL,
  reason     text,
  table_name text NOT NULL,
  op         text NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')),
  row_key    text,
  old_row    jsonb,
  new_row    jsonb
);
CREATE INDEX audit_log_row ON audit_log (table_name, row_key, id);
CREATE INDEX audit_log_at ON audit_log (at);
COMMENT ON TABLE audit_log IS '审计日志 / audit log: who changed what, when and why';

-- +goose StatementBegin
CREATE FUNCTION landreg_sys.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% 只能追加 / % is append-only', TG_TABLE_NAME, TG_TABLE_NAME USING ERRCODE = 'LR004';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();

-- Districts (县级行政区) with their block-line rule settings.
CREATE TABLE districts (
  xzqdm             text PRIMARY KEY CHECK (xzqdm ~ '^[1-9][0-9]{5}$'),
  name              text NOT NULL,
  geom              geometry(MultiPolygon, 4490) NOT NULL,
  baseline_area_m2  double precision CHECK (baseline_area_m2 >= 0),
  baseline_doc      text,
  baseline_date     date,
  rule_start        date,
  rule_end          date,
  comp_ratio        numeric NOT NULL DEFAULT 1.0 CHECK (comp_ratio >= 1),
  level_for_level   boolean NOT NULL DEFAULT true,
  minor_edit_m2     double precision NOT NULL DEFAULT 1.0 CHECK (minor_edit_m2 >= 0),
  include_logistics boolean NOT NULL DEFAULT false,
  synthetic         boolean NOT NULL DEFAULT false,
  area_m2           double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED,
  CHECK (rule_end IS NULL OR rule_start IS NULL OR rule_end > rule_start)
);
CREATE INDEX districts_geom ON districts USING gist (geom);
COMMENT ON TABLE districts IS '县级行政区 / county-level districts';
CREATE TRIGGER districts_geom BEFORE INSERT OR UPDATE OF geom ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

-- Industrial block lines (工业区块线), current versions.
CREATE TABLE block_lines (
  id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  code         text NOT NULL UNIQUE CHECK (code <> ''),
  name         text NOT NULL CHECK (name <> ''),
  xzqdm        text NOT NULL REFERENCES districts,
  level        smallint NOT NULL CHECK (level IN (1, 2)),
  geom         geometry(MultiPolygon, 4490) NOT NULL,
  approval_doc text,
  adjustment_id bigint,
  valid_from   date NOT NULL,
  sys_from     timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  created_by   text,
  reason       text,
  area_m2      double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED
);
CREATE INDEX block_lines_geom ON block_lines USING gist (geom);
CREATE INDEX block_lines_xzqdm ON block_lines (xzqdm);
COMMENT ON TABLE block_lines IS '工业区块线（现行版本）/ industrial block lines, current versions';

CREATE TABLE block_lines_history (
  valid_to     date NOT NULL,
  sys_to       timestamptz NOT NULL,
  retired      boolean NOT NULL,
  closed_by    text NOT NULL,
  close_reason text,
  id           bigint NOT NULL,
  code         text NOT NULL,
  name         text NOT NULL,
  xzqdm        text NOT NULL,
  level        smallint NOT NULL,
  geom         geometry(MultiPolygon, 4490) NOT NULL,
  approval_doc text,
  adjustment_id bigint,
  valid_from   date NOT NULL,
  sys_from     timestamptz NOT NULL,
  version      integer NOT NULL,
  created_by   text,
  reason       text,
  area_m2      double precision,
  PRIMARY KEY (id, version)
);
CREATE INDEX block_lines_history_geom ON block_lines_history USING gist (geom);
CREATE INDEX block_lines_history_xzqdm ON block_lines_history (xzqdm, valid_from);
COMMENT ON TABLE block_lines_history IS '工业区块线历史版本 / closed versions of block lines';

-- No two current lines of a district may share interior. The advisory lock per
-- district serialises concurrent writers so both cannot pass the check at once.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.block_lines_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE other record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || NEW.xzqdm));
  SELECT b.id, b.code INTO other
  FROM block_lines b
  WHERE b.xzqdm = NEW.xzqdm AND b.id <> NEW.id
    AND b.geom && NEW.geom AND ST_Relate(b.geom, NEW.geom, '2********')
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '区块线 % 与 % 重叠 / block line % overlaps %', NEW.code, other.code, NEW.code, other.code
      USING ERRCODE = 'LRB01', COLUMN = 'geom', TABLE = 'block_lines',
            DETAIL = format('overlap area %s m²', round(ST_Area(ST_Intersection(
              (SELECT geom FROM block_lines WHERE id = other.id), NEW.geom)::geography)::numeric, 2));
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER block_lines_10_geom BEFORE INSERT OR UPDATE OF geom ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();
CREATE TRIGGER block_lines_20_version BEFORE INSERT OR UPDATE OR DELETE ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.version_row();
CREATE TRIGGER block_lines_30_overlap BEFORE INSERT OR UPDATE OF geom, xzqdm ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_no_overlap();

-- Current and closed versions together, for "as of a date" queries.
CREATE VIEW block_lines_all AS
  SELECT id, code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from,
         NULL::date AS valid_to, sys_from, NULL::timestamptz AS sys_to, false AS retired,
         version, created_by, reason, area_m2
  FROM block_lines
  UNION ALL
  SELECT id, code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from,
         valid_to, sys_from, sys_to, retired, version, created_by, reason, area_m2
  FROM block_lines_history;

-- Enterprises (企业), keyed by unified social credit code.
CREATE TABLE enterprises (
  uscc          text PRIMARY KEY CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
  name          text NOT NULL,
  industry_code text,
  is_above_size boolean NOT NULL DEFAULT false,
  synthetic     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE enterprises IS '企业 / enterprises (统一社会信用代码)';

-- Industrial parcels (宗地), current versions.
CREATE TABLE parcels (
  id                          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  zddm                        text NOT NULL UNIQUE CHECK (zddm ~ '^[0-9]{12}[GJZ][ABCDEFGHSXWY][0-9]{5}$'),
  bdcdyh                      text CHECK (bdcdyh ~ '^[0-9]{12}[GJZ][ABCDEFGHSXWY][0-9]{5}[FLQW][0-9]{8}$'),
  cert_no                     text,
  xzqdm                       text NOT NULL REFERENCES districts,
  location                    text,
  project_name                text,
  holder_name                 text,
  holder_uscc                 text REFERENCES enterprises,
  landuse_code                text NOT NULL,
  landuse_system              text NOT NULL DEFAULT 'GB/T 21010',
  industry_code               text,
  registered_area_m2          numeric(14, 2) CHECK (registered_area_m2 > 0),
  geom                        geometry(MultiPolygon, 4490) NOT NULL,
  supply_method               text CHECK (supply_method IN ('招拍挂', '协议', '划拨')),
  supervision_no              text,
  contract_no                 text,
  contract_date               date,
  price_wan                   numeric(14, 2) CHECK (price_wan >= 0),
  term_years                  integer CHECK (term_years BETWEEN 1 AND 70),
  is_standard_land            boolean NOT NULL DEFAULT false,
  agreed_delivery             date,
  agreed_start                date,
  agreed_completion           date,
  agreed_rampup_review        date,
  far_min                     numeric(6, 2) CHECK (far_min >= 0),
  far_max                     numeric(6, 2) CHECK (far_max >= 0),
  coverage_min                numeric(5, 4) CHECK (coverage_min BETWEEN 0 AND 1),
  invest_intensity_wan_per_mu numeric(10, 2) CHECK (invest_intensity_wan_per_mu >= 0),
  tax_per_mu_wan              numeric(10, 2) CHECK (tax_per_mu_wan >= 0),
  va_per_mu_wan               numeric(10, 2) CHECK (va_per_mu_wan >= 0),
  energy_va_wan_per_tce       numeric(10, 2) CHECK (energy_va_wan_per_tce >= 0),
  emission_va_wan_per_t       numeric(12, 2) CHECK (emission_va_wan_per_t >= 0),
  rd_ratio                    numeric(6, 4) CHECK (rd_ratio BETWEEN 0 AND 1),
  valid_from                  date NOT NULL,
  sys_from                    timestamptz NOT NULL DEFAULT now(),
  version                     integer NOT NULL DEFAULT 1,
  created_by                  text,
  reason                      text,
  area_m2                     double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED,
  CHECK (far_max IS NULL OR far_min IS NULL OR far_max >= far_min),
  CHECK (agreed_completion IS NULL OR agreed_start IS NULL OR agreed_completion >= agreed_start),
  CHECK (agreed_start IS NULL OR contract_date IS NULL OR agreed_start >= contract_date)
);
CREATE INDEX parcels_geom ON parcels USING gist (geom);
CREATE INDEX parcels_xzqdm ON parcels (xzqdm);
CREATE INDEX parcels_holder ON parcels (holder_uscc);
COMMENT ON TABLE parcels IS '宗地（现行版本）/ industrial land parcels, current versions';

CREATE TABLE parcels_history (
  valid_to     date NOT NULL,
  sys_to       timestamptz NOT NULL,
  retired      boolean NOT NULL,
  closed_by    text NOT NULL,
  close_reason text,
  LIKE parcels,
  PRIMARY KEY (id, version)
);
CREATE INDEX parcels_history_geom ON parcels_history USING gist (geom);
CREATE INDEX parcels_history_zddm ON parcels_history (zddm);
COMMENT ON TABLE parcels_history IS '宗地历史版本 / closed versions of parcels';

CREATE TRIGGER parcels_10_geom BEFORE INSERT OR UPDATE OF geom ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();
CREATE TRIGGER parcels_20_version BEFORE INSERT OR UPDATE OR DELETE ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.version_row();

CREATE VIEW parcels_all AS
  SELECT NULL::date AS valid_to, NULL::timestamptz AS sys_to, false AS retired,
         NULL::text AS closed_by, NULL::text AS close_reason, p.*
  FROM parcels p
  UNION ALL
  SELECT * FROM parcels_history;

-- Parcel events (宗地事件): append-only; a correction is a new event that supersedes.
CREATE TABLE parcel_events (
  id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  parcel_id   bigint NOT NULL,
  type        text NOT NULL CHECK (type IN (
                'CONTRACT_SIGNED', 'LAND_DELIVERED', 'PERMIT_ISSUED', 'STARTED', 'PROGRESS',
                'SUSPENDED', 'RESUMED', 'EXTENSION_APPROVED', 'GOV_CAUSE', 'COMPLETED',
                'PLANNING_VERIFIED', 'PRODUCTION_STARTED', 'PRODUCTION_STOPPED',
                'RAMPUP_REVIEWED', 'ANNUAL_INDICATORS', 'IDLE_NOTICE', 'IDLE_DETERMINED',
                'IDLE_FEE_LEVIED', 'RECOVERY_DECIDED', 'DISPOSED', 'TRANSFERRED')),
  event_date  date NOT NULL,
  doc_no      text,
  payload     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  supersedes  bigint REFERENCES parcel_events,
  reason      text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text NOT NULL DEFAULT landreg_sys.actor(),
  CHECK (supersedes IS NULL OR reason IS NOT NULL)
);
CREATE INDEX parcel_events_parcel ON parcel_events (parcel_id, event_date);
COMMENT ON TABLE parcel_events IS '宗地事件（只追加）/ parcel events, append-only';

-- Events attach to current parcels only: a retired parcel takes no new facts.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.parcel_event_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM parcels WHERE id = NEW.parcel_id) THEN
    IF EXISTS (SELECT 1 FROM parcels_history WHERE id = NEW.parcel_id AND retired) THEN
      RAISE EXCEPTION '宗地 % 已注销 / parcel % is retired', NEW.parcel_id, NEW.parcel_id
        USING ERRCODE = 'LRP02', COLUMN = 'parcel_id', TABLE = 'parcel_events';
    END IF;
    RAISE EXCEPTION '宗地 % 不存在 / parcel % does not exist', NEW.parcel_id, NEW.parcel_id
      USING ERRCODE = 'LRP01', COLUMN = 'parcel_id', TABLE = 'parcel_events';
  END IF;
  NEW.recorded_at := now();
  NEW.recorded_by := landreg_sys.actor();
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER parcel_events_check BEFORE INSERT ON parcel_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_event_check();
CREATE TRIGGER parcel_events_append_only BEFORE UPDATE OR DELETE ON parcel_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();

-- Audit triggers (statement level, transition tables: one trigger per operation).
CREATE TRIGGER districts_audit_ins AFTER INSERT ON districts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER districts_audit_upd AFTER UPDATE ON districts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER districts_audit_del AFTER DELETE ON districts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER block_lines_audit_ins AFTER INSERT ON block_lines REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER block_lines_audit_upd AFTER UPDATE ON block_lines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER block_lines_audit_del AFTER DELETE ON block_lines REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER parcels_audit_ins AFTER INSERT ON parcels REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER parcels_audit_upd AFTER UPDATE ON parcels REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER parcels_audit_del AFTER DELETE ON parcels REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER parcel_events_audit_ins AFTER INSERT ON parcel_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER enterprises_audit_ins AFTER INSERT ON enterprises REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER enterprises_audit_upd AFTER UPDATE ON enterprises REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER enterprises_audit_del AFTER DELETE ON enterprises REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

-- +goose Down
DROP VIEW IF EXISTS parcels_all, block_lines_all;
DROP TABLE IF EXISTS parcel_events, parcels_history, parcels, enterprises,
  block_lines_history, block_lines, districts, audit_log;
DROP SCHEMA IF EXISTS landreg_sys CASCADE;
