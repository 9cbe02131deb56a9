-- +goose Up
-- A bureau adopts landreg for its own county (issue 13, items 1, 4 and 6): it registers
-- and changes its districts, each change a version with its document; it keeps its
-- enterprises (权利人) with their address; it retires parcels as of the legal date of the
-- decision, with the decision's document.

-- Districts are versioned like block lines (docs/decisions.md, "Districts"): the current
-- version here, closed ones in districts_history, each with the document (文号) of the
-- change that made it and its legal date (valid_from). The versioning trigger copies a
-- closed version into history by column name, so a column added to districts later and
-- not to districts_history is left out of the history rather than misplaced (a test
-- holds the two tables' columns equal).
ALTER TABLE districts
  ADD COLUMN doc_no     text CHECK (doc_no IS NULL OR btrim(doc_no) <> ''),
  ADD COLUMN valid_from date,
  ADD COLUMN sys_from   timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN version    integer NOT NULL DEFAULT 1,
  ADD COLUMN created_by text,
  ADD COLUMN reason     text,
  ADD CONSTRAINT districts_name_check CHECK (btrim(name) <> '');

COMMENT ON COLUMN districts.doc_no IS '文号 / document number of the change that made this version';
COMMENT ON COLUMN districts.valid_from IS '生效日期 / legal date from which this version is in force';

-- Existing districts: in force from their delineation (or rule start) if they have one,
-- else since the database first recorded them. Data only: the triggers of the previous
-- schema version are off while it is written (a fresh database has none).
ALTER TABLE districts DISABLE TRIGGER USER;
UPDATE districts d SET
  valid_from = coalesce(least(d.baseline_date, d.rule_start)::timestamp,
    (SELECT min(a.at) FROM audit_log a WHERE a.table_name = 'districts' AND a.row_key = d.xzqdm AND a.op = 'INSERT') AT TIME ZONE 'Asia/Shanghai',
    now() AT TIME ZONE 'Asia/Shanghai')::date,
  sys_from = coalesce((SELECT min(a.at) FROM audit_log a WHERE a.table_name = 'districts' AND a.row_key = d.xzqdm), now()),
  doc_no = nullif(btrim(d.baseline_doc), '');
ALTER TABLE districts ENABLE TRIGGER USER;

ALTER TABLE districts
  ALTER COLUMN valid_from SET NOT NULL,
  ADD CONSTRAINT districts_valid_from_check CHECK (valid_from BETWEEN '1900-01-01' AND '2199-12-31');

-- Closed versions: history's own columns first, then the district's (generated ones
-- become plain columns here).
CREATE TABLE districts_history (
  valid_to     date NOT NULL,
  sys_to       timestamptz NOT NULL,
  retired      boolean NOT NULL,
  closed_by    text NOT NULL,
  close_reason text,
  LIKE districts,
  PRIMARY KEY (xzqdm, version)
);

CREATE INDEX districts_history_geom ON districts_history USING gist (geom);

COMMENT ON TABLE districts_history IS '县级行政区历史版本 / closed versions of districts';

-- Enterprises (权利人): an address, a name that is not blank and a GB/T 4754 industry
-- code (门类 letter, or 2–4 digits for 大类/中类/小类).
ALTER TABLE enterprises
  ADD COLUMN address text,
  ADD CONSTRAINT enterprises_name_check CHECK (btrim(name) <> ''),
  ADD CONSTRAINT enterprises_industry_code_check CHECK (industry_code ~ '^([A-T]|[0-9]{2,4})$');

COMMENT ON COLUMN enterprises.address IS '住所 / registered address';

-- Retirement of a parcel (注销, 收回): the legal date and the document of the decision.
-- The parcel's last version goes to history with valid_to = effective_date (the change
-- context's date); this row, written in the same transaction, says why and by which
-- document. Append-only.
CREATE TABLE parcel_retirements (
  parcel_id      bigint PRIMARY KEY,
  version        integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('注销', '收回')),
  effective_date date NOT NULL CHECK (effective_date BETWEEN '1900-01-01' AND '2199-12-31'),
  doc_no         text CHECK (doc_no IS NULL OR btrim(doc_no) <> ''),
  reason         text,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  recorded_by    text NOT NULL, -- set by parcel_retirement_check from the change context
  FOREIGN KEY (parcel_id, version) REFERENCES parcels_history (id, version)
);

COMMENT ON TABLE parcel_retirements IS '宗地注销/收回记录 / retirements of parcels with their legal date and document';

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00016 cannot be undone; restore from a backup / 00016 不可回退'; END $$;
-- +goose StatementEnd
