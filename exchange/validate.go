package exchange

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// The checks run set-based over the staging table, with the tolerances above. Every
// query returns (ord, code, field, message); messages are "中文 / English".
const (
	// Parcels name their district by xzqdm, or by the first six digits of the 宗地代码,
	// or else by where they lie.
	sqlDistrictFromCode = `UPDATE landreg_import SET xzqdm = left(zddm, 6)
WHERE xzqdm IS NULL AND zddm ~ '^[0-9]{6}'`
	sqlDistrictFromGeom = `UPDATE landreg_import i SET xzqdm = d.xzqdm FROM districts d
WHERE i.xzqdm IS NULL AND i.g IS NOT NULL AND d.geom && i.g AND ST_Intersects(d.geom, ST_PointOnSurface(ST_Envelope(i.g)))
  AND NOT EXISTS (SELECT 1 FROM landreg_import_bad b WHERE b.ord = i.ord)`
	// The geometric checks read only valid geometries (GEOS refuses overlays of invalid
	// ones), from a table of their own with a spatial index.
	sqlValid = `CREATE TEMP TABLE landreg_import_ok ON COMMIT DROP AS
SELECT i.* FROM landreg_import i WHERE i.g IS NOT NULL AND NOT EXISTS (SELECT 1 FROM landreg_import_bad b WHERE b.ord = i.ord);
CREATE INDEX ON landreg_import_ok USING gist (g); ANALYZE landreg_import_ok`

	// Validity first: later checks run only on valid geometries (GEOS refuses overlays
	// of invalid ones).
	sqlInvalid = `CREATE TEMP TABLE landreg_import_bad ON COMMIT DROP AS
SELECT ord, CASE WHEN ST_IsEmpty(g) THEN 'empty' ELSE ST_IsValidReason(g) END AS reason
FROM landreg_import WHERE g IS NOT NULL AND (ST_IsEmpty(g) OR NOT ST_IsValid(g))`

	sqlChecksCommon = `
SELECT ord, 'invalid-geometry', 'error', 'geometry',
  '几何无效：' || reason || ' / invalid geometry: ' || reason
FROM landreg_import_bad
UNION ALL
SELECT i.ord, 'unknown-district', 'error', 'xzqdm',
  CASE WHEN i.xzqdm IS NULL THEN '无法确定所属行政区 / no district: give xzqdm or --xzqdm'
       ELSE format('行政区 %s 不存在 / unknown district %s', i.xzqdm, i.xzqdm) END
FROM landreg_import i
WHERE i.xzqdm IS NULL OR (i.xzqdm ~ '^[0-9]{6}$' AND NOT EXISTS (SELECT 1 FROM districts d WHERE d.xzqdm = i.xzqdm))
UNION ALL
SELECT s.ord, 'outside-district', 'error', 'geometry',
  format('超出行政区 %s（%s）%s 平方米 / %s m² lie outside district %s (%s)', s.xzqdm, s.name, round(s.m2::numeric, 2), round(s.m2::numeric, 2), s.xzqdm, s.name)
FROM (
  -- The overlay with the district runs only for the few features not inside it.
  SELECT i.ord, d.xzqdm, d.name, ST_Area(ST_Difference(i.g, d.geom)::geography) AS m2
  FROM landreg_import_ok i JOIN districts d ON d.xzqdm = i.xzqdm
  WHERE NOT ST_CoveredBy(i.g, d.geom) OFFSET 0) s
WHERE s.m2 > $1
UNION ALL
SELECT b.ord, 'overlap', $3, 'geometry',
  format('与文件中第 %s 个要素 %s 重叠 %s 平方米 / overlaps feature %s (%s) of the file by %s m²', a.ord, coalesce(a.src_id, ''), round(s.m2::numeric, 2), a.ord, coalesce(a.src_id, ''), round(s.m2::numeric, 2))
FROM landreg_import_ok a JOIN landreg_import_ok b ON a.ord < b.ord AND a.g && b.g
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(a.g, b.g)::geography) AS m2) s
WHERE ST_Relate(a.g, b.g, '2********') AND s.m2 > $2`

	sqlChecksParcels = sqlChecksCommon + `
UNION ALL
SELECT i.ord, 'overlap', 'warning', 'geometry',
  format('与现有宗地 %s 重叠 %s 平方米 / overlaps registered parcel %s by %s m²', p.zddm, round(s.m2::numeric, 2), p.zddm, round(s.m2::numeric, 2))
FROM landreg_import_ok i JOIN parcels p ON p.geom && i.g
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(p.geom, i.g)::geography) AS m2) s
WHERE p.zddm IS DISTINCT FROM i.zddm AND ST_Relate(p.geom, i.g, '2********') AND s.m2 > $2
UNION ALL
SELECT i.ord, 'duplicate', 'error', 'zddm', format('宗地代码 %s 已登记（宗地 %s）/ parcel code %s is already registered (parcel %s)', i.zddm, p.id, i.zddm, p.id)
FROM landreg_import i JOIN parcels p ON p.zddm = i.zddm
UNION ALL
SELECT ord, 'duplicate', 'error', 'zddm', format('宗地代码 %s 在文件中重复（首见于第 %s 个要素）/ parcel code %s repeats feature %s of the file', zddm, first, zddm, first)
FROM (SELECT ord, zddm, min(ord) OVER (PARTITION BY zddm) AS first FROM landreg_import WHERE zddm IS NOT NULL) s WHERE ord <> first
UNION ALL
SELECT i.ord, 'unknown-enterprise', 'error', 'holder_uscc',
  CASE WHEN NOT $4 THEN format('权利人 %s 未登记为企业：请先登记企业，或使用 --create-holders 按文件中的权利人名称登记 / '
    || 'holder %s is not a registered enterprise: register it first, or import with --create-holders (create_holders=true) to register it under the file''s holder name',
    i.holder_uscc, i.holder_uscc)
  ELSE format('企业 %s 未登记且缺少权利人名称 / enterprise %s is not registered and the feature has no holder name to register it', i.holder_uscc, i.holder_uscc) END
FROM landreg_import i
WHERE i.holder_uscc IS NOT NULL AND (NOT $4 OR i.holder_name IS NULL) AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.uscc = i.holder_uscc)
ORDER BY 1`

	sqlChecksLines = sqlChecksCommon + `
UNION ALL
SELECT i.ord, 'overlap', 'error', 'geometry',
  format('与现行区块线 %s 重叠 %s 平方米 / overlaps current block line %s by %s m²', b.code, round(s.m2::numeric, 2), b.code, round(s.m2::numeric, 2))
FROM landreg_import_ok i JOIN block_lines b ON b.xzqdm = i.xzqdm AND b.geom && i.g
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(b.geom, i.g)::geography) AS m2) s
WHERE b.code IS DISTINCT FROM i.code AND ST_Relate(b.geom, i.g, '2********') AND s.m2 > $2
ORDER BY 1`

	sqlArea = `SELECT count(*), coalesce(sum(ST_Area(g::geography)), 0) FROM landreg_import WHERE g IS NOT NULL`
)

func (l *loader) validate(ctx context.Context, tx pgx.Tx) error {
	steps := []string{sqlInvalid, sqlDistrictFromGeom, sqlValid}
	if l.kind == Parcels {
		steps = append([]string{sqlDistrictFromCode}, steps...)
	}
	for i, q := range steps {
		t := time.Now()
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("validation: %w", err)
		}
		l.rep.TimingsMS[fmt.Sprintf("validate_%d", i)] = time.Since(t).Milliseconds()
	}
	tq := time.Now()
	defer func() { l.rep.TimingsMS["validate_checks"] = time.Since(tq).Milliseconds() }()
	q := sqlChecksParcels
	if l.kind == BlockLines {
		q = sqlChecksLines
	}
	// Overlapping parcels are a data-quality finding (the register has no rule against
	// them); overlapping block lines break a database rule.
	overlapSeverity := "warning"
	if l.kind == BlockLines {
		overlapSeverity = "error"
	}
	args := []any{OutsideToleranceM2, OverlapToleranceM2, overlapSeverity}
	if l.kind == Parcels {
		args = append(args, l.opt.CreateHolders)
	}
	// Each finding with its feature's source id (code or FID), from the staging table.
	q = `SELECT q.ord, coalesce(i.src_id, ''), q.code, q.severity, q.field, q.message
FROM (SELECT row_number() OVER () AS k, * FROM (` + q + `) q0 (ord, code, severity, field, message)) q
LEFT JOIN landreg_import i ON i.ord = q.ord ORDER BY q.k`
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("validation: %w", err)
	}
	for rows.Next() {
		var ord int
		var id, code, severity, field, msg string
		if err := rows.Scan(&ord, &id, &code, &severity, &field, &msg); err != nil {
			return err
		}
		if severity == "warning" {
			l.warningOf(ord, id, code, field, msg)
		} else {
			l.problemOf(ord, id, code, field, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("validation: %w", err)
	}
	if l.kind == BlockLines {
		// One adjustment is one district's proposal.
		var ds []string
		r, err := tx.Query(ctx, `SELECT DISTINCT xzqdm FROM landreg_import WHERE xzqdm IS NOT NULL ORDER BY 1`)
		if err != nil {
			return err
		}
		ds, err = pgx.CollectRows(r, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(ds) > 1 {
			l.rep.add(Problem{Index: -1, Code: "several-districts", Field: "xzqdm", Message: fmt.Sprintf(
				"文件涉及多个行政区 %s；一个调整方案只属于一个行政区，请拆分文件 / the file spans districts %s; an adjustment belongs to one district: split the file per district",
				strings.Join(ds, "、"), strings.Join(ds, ", "))})
		} else if len(ds) == 1 {
			l.rep.Xzqdm = ds[0]
		}
	}
	var n int
	return tx.QueryRow(ctx, sqlArea).Scan(&n, &l.rep.AreaM2)
}

// load writes the staged features with one set-based statement; the triggers version,
// check and audit them like any other write.
func (l *loader) load(ctx context.Context, tx pgx.Tx) error {
	if l.kind == Parcels {
		// Asked to (--create-holders), holders not yet registered become enterprises,
		// named as the file names them; otherwise validation refused them.
		if l.opt.CreateHolders {
			tag, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name)
SELECT DISTINCT ON (holder_uscc) holder_uscc, holder_name FROM landreg_import i
WHERE holder_uscc IS NOT NULL AND holder_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.uscc = i.holder_uscc)
ORDER BY holder_uscc, ord`)
			if err != nil {
				return err
			}
			l.rep.EnterprisesCreated = int(tag.RowsAffected())
		}
		// The actor, reason and legal date are read once (c) and stated on every row, so
		// the versioning trigger reads no change context per row; it would set the same.
		cols, sel := []string{"created_by", "reason"}, []string{"c.actor", "c.reason"}
		validFrom := "c.eff"
		for _, c := range l.cols {
			if c != "xzqdm" && !l.mapped(c) {
				continue
			}
			expr := pgx.Identifier{c}.Sanitize() + "::" + l.types[c]
			switch c {
			case "landuse_system":
				expr = "coalesce(landuse_system, 'GB/T 21010')"
			case "is_standard_land":
				expr = "coalesce(is_standard_land::boolean, false)"
			case "valid_from":
				validFrom = "coalesce(valid_from::date, c.eff)"
				continue
			}
			cols = append(cols, c)
			sel = append(sel, expr)
		}
		sql := `WITH c AS MATERIALIZED (SELECT landreg_sys.actor() AS actor, landreg_sys.reason() AS reason, landreg_sys.effective_date() AS eff)
INSERT INTO parcels (` + strings.Join(cols, ", ") + `, valid_from, geom) SELECT ` + strings.Join(sel, ", ") + `, ` + validFrom + `, g FROM landreg_import, c ORDER BY ord`
		tag, err := tx.Exec(ctx, sql)
		if err != nil {
			return err
		}
		l.rep.Imported = int(tag.RowsAffected())
		return nil
	}
	kind := l.opt.AdjustmentKind
	if kind == "" {
		kind = "调整"
	}
	eff := l.change.Effective
	if eff.IsZero() {
		eff = landreg.CivilDate(timeNow())
	}
	// The adjustment as the API creates one (a draft, its parts added below from the
	// staging table in one statement): one implementation of the insert and its rules.
	id, err := store.CreateAdjustment(ctx, tx, l.change, store.NewAdjustment{Xzqdm: l.rep.Xzqdm, Kind: kind,
		DocNo: l.opt.DocNo, Reason: l.change.Reason, EffectiveDate: eff, ProposedOn: l.opt.ProposedOn})
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO adjustment_parts (adjustment_id, seq, role, level, line_code, line_name, geom)
SELECT $1, row_number() OVER (ORDER BY ord), 'addition', level::smallint, code, name, g FROM landreg_import ORDER BY ord`, id)
	if err != nil {
		return err
	}
	l.rep.AdjustmentID, l.rep.Imported = id, int(tag.RowsAffected())
	if store.IsDelineation(kind) {
		// A 划定 or 划定更正 is carried out at once: it fixes the baseline (issue 13.2).
		l.rep.Delineation, err = store.Delineate(ctx, tx, l.change, id)
	}
	return err
}

// mapped reports whether some source field maps to property c.
func (l *loader) mapped(c string) bool {
	for _, p := range l.used {
		if p == c {
			return true
		}
	}
	return false
}

// dbRefusal turns a refusal by the database's rules (constraints, triggers: SQLSTATE
// class LR and integrity violations) into a file-level problem.
func dbRefusal(err error) *Problem {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return nil
	}
	if !(strings.HasPrefix(pg.Code, "LR") || strings.HasPrefix(pg.Code, "23") || strings.HasPrefix(pg.Code, "22")) {
		return nil
	}
	msg := pg.Message
	if pg.Detail != "" {
		msg += " (" + pg.Detail + ")"
	}
	field := pg.ColumnName
	if field == "" {
		field = pg.ConstraintName
	}
	return &Problem{Index: -1, Code: "refused-by-database", Field: field,
		Message: "数据库拒绝写入，未导入任何数据 / the database refused the load, nothing was imported: " + msg}
}
