-- Industrial land uses (domain.md §6): 工业用地 in GB/T 21010 (0601), 用地用海 (1001…) and
-- GB 50137 (M, M1–M3); with logistics, the warehouse codes too (a district's
-- include_logistics). The same sets as the block-line report's industrial share.
CREATE OR REPLACE FUNCTION landreg_sys.industrial_landuse(code text, logistics boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN code = ANY ('{1001,100101,100102,100103,0601,M,M1,M2,M3}')
    OR (logistics AND code = ANY ('{1101,110101,110102,110103,0604,0508,W,W1,W2,W3}'));
