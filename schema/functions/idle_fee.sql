-- 土地闲置费 due (domain.md §2.1, 53号令 art. 14): fee_share (20 %) of the land price for
-- idleness of the holder's making (IDLE_1Y, IDLE_2Y), in 万元 to two decimals; else 0.
CREATE OR REPLACE FUNCTION landreg_sys.idle_fee(category text, fee_share numeric, price_wan numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN category IN ('IDLE_1Y', 'IDLE_2Y') THEN round(fee_share * price_wan, 2) ELSE 0 END;
