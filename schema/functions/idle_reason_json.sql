-- One reason as JSON text: {code, category, zh, en, since, …extra}; code, category, zh
-- and en are constants of idle_core that need no escaping, extra is ',"key":value…'.
CREATE OR REPLACE FUNCTION landreg_sys.idle_reason_json(code text, category text, zh text, en text, since date, extra text)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN '{"code":"' || code || '","category":"' || category || '","zh":"' || zh || '","en":"' || en
  || '","since":' || landreg_sys.json_date(since) || coalesce(extra, '') || '}';
