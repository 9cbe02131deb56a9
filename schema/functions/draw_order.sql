-- Where the compensation for a removal from level removed_level comes from, in order
-- (domain.md §8.3, docs/decisions.md "Reserve"): 'added' = this change's own additions
-- of from_level (what earlier steps left of them), 'reserve' = banked reserve of
-- from_level effective by the change (FIFO). Level 1 from level 1 only while
-- level_for_level holds (the default); level 2 from level-2 additions, then level-1
-- additions, then reserve 2, then reserve 1. Level-1 removals are covered first.
CREATE OR REPLACE FUNCTION landreg_sys.draw_order(removed_level smallint, level_for_level boolean)
RETURNS TABLE (step integer, source text, from_level smallint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT o.step, o.source, o.from_level
  FROM (VALUES (1, 1::smallint, 'added', 1::smallint, true),
               (2, 1::smallint, 'reserve', 1::smallint, true),
               (3, 1::smallint, 'added', 2::smallint, false),
               (4, 1::smallint, 'reserve', 2::smallint, false),
               (1, 2::smallint, 'added', 2::smallint, true),
               (2, 2::smallint, 'added', 1::smallint, true),
               (3, 2::smallint, 'reserve', 2::smallint, true),
               (4, 2::smallint, 'reserve', 1::smallint, true)) o(step, removed_level, source, from_level, always)
  WHERE o.removed_level = draw_order.removed_level AND (o.always OR NOT coalesce(draw_order.level_for_level, true))
  ORDER BY o.step;
END;
