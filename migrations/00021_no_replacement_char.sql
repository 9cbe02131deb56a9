-- +goose Up
-- No text of the register holds U+FFFD (issue 14.17): the replacement character is what
-- text decoded in the wrong encoding turns into (a GBK .dbf read as UTF-8), and a name
-- made of it is lost for good. The importer refuses such values with the field; these
-- constraints refuse them from every writer (API, imports, QGIS editing the tables).
-- One constraint per column, named <table>_<column>_fffd, so a refusal names its field
-- (store.Translate). NOT VALID: a register that already holds such text keeps it until
-- the row is next written, which must then repair it (a migration cannot).
-- Columns with a CHECK of their own (zddm, bdcdyh, supply_method, industry codes) or a
-- reference (holder_uscc, xzqdm) cannot hold it already.
ALTER TABLE parcels
  ADD CONSTRAINT parcels_cert_no_fffd        CHECK (strpos(cert_no, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_location_fffd       CHECK (strpos(location, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_project_name_fffd   CHECK (strpos(project_name, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_holder_name_fffd    CHECK (strpos(holder_name, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_landuse_code_fffd   CHECK (strpos(landuse_code, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_landuse_system_fffd CHECK (strpos(landuse_system, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_supervision_no_fffd CHECK (strpos(supervision_no, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_contract_no_fffd    CHECK (strpos(contract_no, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcels_reason_fffd         CHECK (strpos(reason, U&'\FFFD') = 0) NOT VALID;

ALTER TABLE enterprises
  ADD CONSTRAINT enterprises_name_fffd    CHECK (strpos(name, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT enterprises_address_fffd CHECK (strpos(address, U&'\FFFD') = 0) NOT VALID;

ALTER TABLE parcel_events
  ADD CONSTRAINT parcel_events_doc_no_fffd  CHECK (strpos(doc_no, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcel_events_reason_fffd  CHECK (strpos(reason, U&'\FFFD') = 0) NOT VALID,
  ADD CONSTRAINT parcel_events_payload_fffd CHECK (strpos(payload::text, U&'\FFFD') = 0) NOT VALID;

-- +goose Down
ALTER TABLE parcels
  DROP CONSTRAINT parcels_cert_no_fffd, DROP CONSTRAINT parcels_location_fffd,
  DROP CONSTRAINT parcels_project_name_fffd, DROP CONSTRAINT parcels_holder_name_fffd,
  DROP CONSTRAINT parcels_landuse_code_fffd, DROP CONSTRAINT parcels_landuse_system_fffd,
  DROP CONSTRAINT parcels_supervision_no_fffd, DROP CONSTRAINT parcels_contract_no_fffd,
  DROP CONSTRAINT parcels_reason_fffd;
ALTER TABLE enterprises DROP CONSTRAINT enterprises_name_fffd, DROP CONSTRAINT enterprises_address_fffd;
ALTER TABLE parcel_events
  DROP CONSTRAINT parcel_events_doc_no_fffd, DROP CONSTRAINT parcel_events_reason_fffd,
  DROP CONSTRAINT parcel_events_payload_fffd;
