-- After a refresh has added its differences to landreg_sys.status_cells (00035):
-- removes the cells it emptied, and refuses a cell below zero, which would mean the
-- cells and the points they add up had parted. Both through the partial index of
-- the cells at or below zero.
CREATE OR REPLACE FUNCTION landreg_sys.status_cells_tidy() RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM landreg_sys.status_cells c WHERE c.n < 0) THEN
    RAISE EXCEPTION 'status cells: a cell below zero parcels' USING ERRCODE = 'XX000';
  END IF;
  DELETE FROM landreg_sys.status_cells c WHERE c.n <= 0;
END
$$;
