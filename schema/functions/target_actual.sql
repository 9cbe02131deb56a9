-- The actual of one target (docs/decisions.md, "Targets, remediation and supply (issue
-- 15)"), computed from the registry as of legal date at_date and as known at known_at
-- (NULL: now), over the period from period_from to the earlier of at_date and period_to.
-- Scope: a district, or the city (xzqdm NULL). Returns the actual and, for a ratio or
-- mean, its numerator and denominator; basis says what was measured. actual is NULL when
-- the registry has nothing to measure by (no transfers figure, no supply, no evaluated
-- firm).
--  * supply_mu: 亩 of industrial land whose contract was signed in the period
--    (landreg_sys.supplied_land), of supply_method when the target names one.
--  * industrial_share_of_transfers: industrial land transferred (出让: 招拍挂 and 协议) in
--    the period ÷ the bureau's transfers figures of the period's years so far (a year's
--    figure counts for its year whenever it was entered; known_at still applies).
--  * standard_land_share: 标准地 ÷ all industrial land supplied in the period.
--  * freed_mu: Σ freed_mu of the projects closed (达标销号 or 关停退出) in the period,
--    plus the 亩 of idle land disposed of or recovered in the period by its decision
--    date (landreg_sys.disposed_land), but for parcels of a project closed by at_date;
--    cleared_mu: Σ registered area of those projects' parcels; firms_cleared: their
--    distinct firms; blocks_renewed: those of them that renew a block (block_renewal).
--  * tax_per_mu_wan, va_per_mu_wan: Σ tax (or value added) ÷ Σ 亩 over the evaluated
--    firms (landreg_sys.target_mujun) of the latest year within the period that ended
--    before at_date, 规上 only when above_size_only.
CREATE OR REPLACE FUNCTION landreg_sys.target_actual(kind text, scope text, method text, above_size_only boolean,
  period_from date, period_to date, at_date date, known_at timestamptz,
  OUT actual double precision, OUT numerator double precision, OUT denominator double precision, OUT basis text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  upto date := least(at_date, period_to);
  y integer;
BEGIN
  IF at_date < period_from THEN
    RETURN;
  END IF;
  IF kind IN ('supply_mu', 'industrial_share_of_transfers', 'standard_land_share') THEN
    SELECT coalesce(sum(s.mu) FILTER (WHERE method IS NULL OR s.supply_method = method), 0),
      coalesce(sum(s.mu) FILTER (WHERE s.supply_method IN ('招拍挂', '协议')), 0),
      coalesce(sum(s.mu) FILTER (WHERE s.is_standard_land AND (method IS NULL OR s.supply_method = method)), 0)
    INTO actual, numerator, denominator
    FROM landreg_sys.supplied_land(at_date, known_at) s
    WHERE s.contract_date BETWEEN period_from AND upto AND (scope IS NULL OR s.xzqdm = scope);
    IF kind = 'supply_mu' THEN
      numerator := NULL; denominator := NULL;
      basis := '合同签订日期在期内的工业用地 / industrial land contracted in the period';
    ELSIF kind = 'standard_land_share' THEN
      numerator := denominator; denominator := actual;
      actual := CASE WHEN denominator > 0 THEN numerator / denominator END;
      basis := '标准地 ÷ 新增工业用地 / 标准地 ÷ new industrial land';
    ELSE
      SELECT sum(t.transferred_mu)::float8 INTO denominator
      FROM transfers_all t
      WHERE t.year BETWEEN extract(year FROM period_from) AND extract(year FROM upto)
        AND (scope IS NULL OR t.xzqdm = scope)
        -- A year's figure is a fact about that year, whenever it was entered: only
        -- system time narrows it (the version on file at known_at).
        AND ((known_at IS NULL AND t.sys_to IS NULL)
             OR (t.sys_from <= known_at AND (t.sys_to IS NULL OR t.sys_to > known_at)));
      actual := CASE WHEN denominator > 0 THEN numerator / denominator END;
      basis := '出让工业用地 ÷ 土地出让总面积 / industrial land transferred ÷ all land transferred';
    END IF;
  ELSIF kind IN ('freed_mu', 'cleared_mu', 'firms_cleared', 'blocks_renewed') THEN
    WITH closed AS (
      SELECT p.id, p.freed_mu::float8 AS freed_mu, p.block_renewal, p.status_since
      FROM remediation_projects_all p
      JOIN landreg_sys.remediation_statuses s ON s.code = p.status AND s.closed
      WHERE p.status_since BETWEEN period_from AND upto AND (scope IS NULL OR p.xzqdm = scope)
        AND p.valid_from <= at_date AND (known_at IS NULL OR p.sys_from <= known_at)
        AND (p.valid_to IS NULL OR p.valid_to > at_date OR (known_at IS NOT NULL AND p.sys_to > known_at))
    )
    SELECT CASE kind
      WHEN 'freed_mu' THEN coalesce((SELECT sum(c.freed_mu) FROM closed c), 0)
        + coalesce((SELECT sum(d.mu) FROM landreg_sys.disposed_land(period_from, upto, at_date, known_at) d
                    WHERE NOT d.remediated AND (scope IS NULL OR d.xzqdm = scope)), 0)
      WHEN 'blocks_renewed' THEN (SELECT count(*) FILTER (WHERE c.block_renewal) FROM closed c)
      WHEN 'firms_cleared' THEN (SELECT count(DISTINCT l.uscc) FROM closed c
                                 JOIN remediation_project_enterprises l ON l.project_id = c.id
                                 WHERE known_at IS NULL OR l.added_at <= known_at)
      ELSE coalesce((SELECT sum(v.mu) FROM closed c
              JOIN remediation_project_parcels l ON l.project_id = c.id AND (known_at IS NULL OR l.added_at <= known_at)
              CROSS JOIN LATERAL (
                SELECT landreg_sys.m2_to_mu(coalesce(x.registered_area_m2::float8, x.area_m2)) AS mu
                FROM parcels_all x
                WHERE x.id = l.parcel_id AND (known_at IS NULL OR x.sys_from <= known_at)
                ORDER BY (x.valid_from <= c.status_since) DESC,
                  CASE WHEN x.valid_from <= c.status_since THEN x.valid_from END DESC NULLS LAST, x.version DESC
                LIMIT 1) v), 0)
      END
    INTO actual;
    basis := CASE WHEN kind = 'freed_mu'
      THEN '期内关闭（达标销号、关停退出）的整治项目腾出面积 + 期内处置、收回的闲置土地（未计入已关闭项目者） / land freed by remediation projects closed in the period + idle land disposed of or recovered in the period (not in a closed project)'
      ELSE '期内关闭（达标销号、关停退出）的整治项目 / remediation projects closed in the period' END;
  ELSIF kind IN ('tax_per_mu_wan', 'va_per_mu_wan') THEN
    -- The latest year of the period that ended before at_date and has evaluated firms.
    SELECT max(yy) INTO y
    FROM generate_series(extract(year FROM period_from)::int, extract(year FROM period_to)::int) yy
    WHERE make_date(yy, 12, 31) < at_date
      AND EXISTS (SELECT FROM landreg_sys.target_mujun(yy, at_date, known_at) m
                  WHERE m.land_mu > 0 AND (scope IS NULL OR m.xzqdm = scope) AND (NOT above_size_only OR m.is_above_size)
                    AND (kind = 'tax_per_mu_wan' OR m.va_wan IS NOT NULL));
    IF y IS NULL THEN
      RETURN;
    END IF;
    SELECT sum(CASE WHEN kind = 'tax_per_mu_wan' THEN m.tax_wan ELSE m.va_wan END), sum(m.land_mu)
    INTO numerator, denominator
    FROM landreg_sys.target_mujun(y, at_date, known_at) m
    WHERE m.land_mu > 0 AND (scope IS NULL OR m.xzqdm = scope) AND (NOT above_size_only OR m.is_above_size)
      AND (kind = 'tax_per_mu_wan' OR m.va_wan IS NOT NULL);
    actual := numerator / denominator;
    basis := y || ' 年参评企业 Σ' || CASE WHEN kind = 'tax_per_mu_wan' THEN '税收' ELSE '增加值' END || ' ÷ Σ亩'
      || CASE WHEN above_size_only THEN '（规上）' ELSE '' END
      || ' / firms evaluated for ' || y || ': Σ ' || CASE WHEN kind = 'tax_per_mu_wan' THEN 'tax' ELSE 'value added' END
      || ' ÷ Σ mu' || CASE WHEN above_size_only THEN ' (above designated size)' ELSE '' END;
  END IF;
END
$$;
