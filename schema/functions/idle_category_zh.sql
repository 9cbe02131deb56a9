-- Chinese labels of the categories (domain.md §2.1, §2.2).
CREATE OR REPLACE FUNCTION landreg_sys.idle_category_zh(c text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE c
    WHEN 'SUPPLIED_NOT_DUE' THEN '供而未用（未到开工期限）'
    WHEN 'OVERDUE_START' THEN '供而未用（逾期未动工）'
    WHEN 'IDLE_1Y' THEN '闲置满一年'
    WHEN 'IDLE_2Y' THEN '闲置满两年'
    WHEN 'IDLE_GOV' THEN '闲置（政府原因）'
    WHEN 'IDLE_STALLED' THEN '闲置（中止开发满一年）'
    WHEN 'UNDER_CONSTRUCTION' THEN '在建'
    WHEN 'UNDERUSED' THEN '用而未尽'
    WHEN 'BUILT_NOT_PRODUCING' THEN '建而未投'
    WHEN 'BELOW_TARGET' THEN '投而未达'
    WHEN 'NORMAL' THEN '正常'
    WHEN 'RETIRED' THEN '已收回或注销'
  END
$$;

ALTER FUNCTION landreg_sys.idle_category_zh(text) PARALLEL SAFE;
