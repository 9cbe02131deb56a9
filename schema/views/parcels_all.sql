-- A view's column list is fixed when it is created: recreate it with the new column.
CREATE OR REPLACE VIEW parcels_all AS
  SELECT NULL::date AS valid_to, NULL::timestamptz AS sys_to, false AS retired,
         NULL::text AS closed_by, NULL::text AS close_reason, p.*
  FROM parcels p
  UNION ALL
  SELECT * FROM parcels_history;
