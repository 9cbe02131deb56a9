-- The legal date a change takes effect: the one the owner's code stated or the
-- adjustment being applied carries; otherwise the day of the commit (Asia/Shanghai civil
-- date, docs/decisions.md). Nothing a session can set moves it.
CREATE OR REPLACE FUNCTION landreg_sys.effective_date() RETURNS date LANGUAGE sql VOLATILE AS $$
  SELECT coalesce((landreg_sys.context()).effective_date, landreg_sys.today())
$$;
