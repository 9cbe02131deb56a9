-- Chinese label of a category (landreg_sys.idle_categories, domain.md §2.1, §2.2).
CREATE OR REPLACE FUNCTION landreg_sys.idle_category_zh(c text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT zh FROM landreg_sys.idle_categories WHERE code = c
$$;
