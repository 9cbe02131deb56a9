-- The parcels and firms of a remediation project change only while it is open; a parcel
-- must be one the register has held (any version, parcels_all) in the project's district.
-- Who linked it and when come from the change context.
CREATE OR REPLACE FUNCTION landreg_sys.remediation_link_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pid    bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.project_id ELSE NEW.project_id END;
  p      remediation_projects;
  parcel bigint;
BEGIN
  SELECT * INTO p FROM remediation_projects WHERE id = pid;
  IF FOUND AND (SELECT s.closed FROM landreg_sys.remediation_statuses s WHERE s.code = p.status) THEN
    RAISE EXCEPTION '整治项目 % 已“%”，项目已关闭，其宗地和企业不可修改 / remediation project % is closed (%); its parcels and firms are frozen',
      p.id, p.status, p.id, p.status USING ERRCODE = 'LRT02', COLUMN = 'project_id', TABLE = TG_TABLE_NAME;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.project_id <> OLD.project_id) THEN
    RAISE EXCEPTION '不可修改所属项目 / a link cannot move to another project' USING ERRCODE = 'LR002', COLUMN = 'project_id', TABLE = TG_TABLE_NAME;
  END IF;
  NEW.added_at := now();
  NEW.added_by := landreg_sys.actor();
  IF TG_TABLE_NAME = 'remediation_project_parcels' THEN
    parcel := (to_jsonb(NEW)->>'parcel_id')::bigint;
    IF NOT EXISTS (SELECT FROM parcels_all v WHERE v.id = parcel) THEN
      RAISE EXCEPTION '宗地 % 不存在 / no parcel %', parcel, parcel
        USING ERRCODE = 'LRP01', COLUMN = 'parcel_id', TABLE = TG_TABLE_NAME;
    END IF;
    IF NOT EXISTS (SELECT FROM parcels_all v WHERE v.id = parcel AND v.xzqdm = p.xzqdm) THEN
      RAISE EXCEPTION '宗地 % 不在项目所在行政区 % / parcel % is not in the project''s district %', parcel, p.xzqdm, parcel, p.xzqdm
        USING ERRCODE = 'LRT06', COLUMN = 'parcel_id', TABLE = TG_TABLE_NAME;
    END IF;
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.remediation_link_check() SECURITY DEFINER SET search_path = public, pg_temp;
