-- A transfer of the land use right (TRANSFERRED, 二级市场转让) names the new holder, a
-- registered enterprise (payload new_holder_uscc, domain.md §8.1); the API and the CLI
-- also demand its contract (contract_no) and write the new holder to the parcel as a
-- new version in the same transaction (store.TransferParcel). SQLSTATEs LRE03 (missing
-- key), LRE06 (the new holder is not an enterprise).
CREATE OR REPLACE FUNCTION landreg_sys.parcel_transfer_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF jsonb_typeof(NEW.payload -> 'new_holder_uscc') IS DISTINCT FROM 'string' THEN
    RAISE EXCEPTION '转让事件缺少受让人 new_holder_uscc / a TRANSFERRED event needs payload key new_holder_uscc (the new holder''s USCC)'
      USING ERRCODE = 'LRE03', COLUMN = 'payload', TABLE = 'parcel_events';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM enterprises WHERE uscc = NEW.payload ->> 'new_holder_uscc') THEN
    RAISE EXCEPTION '受让人 % 未登记为企业 / the new holder % is not a registered enterprise',
      NEW.payload ->> 'new_holder_uscc', NEW.payload ->> 'new_holder_uscc'
      USING ERRCODE = 'LRE06', COLUMN = 'payload', TABLE = 'parcel_events';
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.parcel_transfer_check() SECURITY DEFINER SET search_path = public, pg_temp;
