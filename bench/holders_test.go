package bench

// The copies of the fixture city get firms of their own: copy k of the fixture firm
// ranked r (by USCC) is 91339900 · k (4 digits) · r (6 digits). Shared by every copy, a
// fixture firm would hold hundreds of parcels, and each of them would carry that firm's
// one 亩均 verdict; a city's firms hold one or two parcels each, as the fixtures' do.
const copyFirmsSQL = `INSERT INTO enterprises (uscc, name, industry_code, is_above_size, synthetic)
SELECT '91339900' || lpad(k::text, 4, '0') || lpad(e.r::text, 6, '0'), e.name || '（副本' || k || '）',
  e.industry_code, e.is_above_size, true
FROM (SELECT en.*, row_number() OVER (ORDER BY en.uscc) AS r FROM enterprises en WHERE en.uscc NOT LIKE '91339900%') e,
  generate_series(1, $1) k`

// firmRanks joins the fixture firms' ranks (alias h) to a copied parcel p.
const firmRanks = `
  LEFT JOIN (SELECT en.uscc, row_number() OVER (ORDER BY en.uscc) AS r FROM enterprises en
             WHERE en.uscc NOT LIKE '91339900%') h ON h.uscc = p.holder_uscc`

// copiedHolderName and copiedHolderUSCC are a copied parcel's holder columns.
const (
	copiedHolderName = `CASE WHEN h.r IS NULL THEN p.holder_name ELSE p.holder_name || '（副本' || k || '）' END`
	copiedHolderUSCC = `CASE WHEN h.r IS NOT NULL THEN '91339900' || lpad(k::text, 4, '0') || lpad(h.r::text, 6, '0') END`
)
