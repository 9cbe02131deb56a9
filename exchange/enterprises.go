package exchange

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// loadEnterprises checks each row as the enterprise it would leave (landreg.ValidateEnterprise,
// the API's rules): a new USCC registers an enterprise, a registered one is a conflict
// unless opt.Update, when the row's non-empty cells change it. All rows or none are
// written, with one INSERT … SELECT and one UPDATE … FROM in one transaction; the
// triggers write history and audit as for any write.
func loadEnterprises(ctx context.Context, pool *pgxpool.Pool, opt ImportOptions, change store.Change, rep *Report, rows []tableRow, bad map[int]bool) error {
	problem := func(r tableRow, code, field, msg string) {
		bad[r.idx] = true
		rep.add(Problem{Index: r.idx, SourceID: rowID(r.vals["uscc"], r.idx), Code: code, Field: field, Message: msg})
	}
	// Values as the database takes them: 是/否 for the 规上 flag.
	for _, r := range rows {
		if v, ok := r.vals["is_above_size"]; ok {
			n, err := normalize("boolean", v)
			if err != nil {
				problem(r, "bad-value", "is_above_size", err.Error())
				delete(r.vals, "is_above_size")
				continue
			}
			r.vals["is_above_size"] = n
		}
	}
	errRollback := errors.New("rollback")
	err := store.InTx(ctx, pool, change, func(tx pgx.Tx) error {
		var usccs []string
		for _, r := range rows {
			if u := r.vals["uscc"]; u != "" {
				usccs = append(usccs, u)
			}
		}
		// The registered enterprises the file names, locked: a concurrent write waits.
		cur := map[string]map[string]*string{}
		q, err := tx.Query(ctx, `SELECT uscc, name, industry_code, is_above_size::text, address FROM enterprises WHERE uscc = ANY($1) ORDER BY uscc FOR UPDATE`, usccs)
		if err != nil {
			return err
		}
		for q.Next() {
			var u string
			var name, ind, above, addr *string
			if err := q.Scan(&u, &name, &ind, &above, &addr); err != nil {
				return err
			}
			cur[u] = map[string]*string{"name": name, "industry_code": ind, "is_above_size": above, "address": addr}
		}
		if err := q.Err(); err != nil {
			return err
		}
		first := map[string]int{}
		type action struct {
			r      tableRow
			update bool
		}
		var acts []action
		for _, r := range rows {
			u := r.vals["uscc"]
			if u != "" {
				if f, dup := first[u]; dup {
					problem(r, "duplicate", "uscc", fmt.Sprintf("统一社会信用代码 %s 在文件中重复（首见于第 %d 行）/ USCC %s repeats row %d of the file", u, f+2, u, f+2))
					continue
				}
				first[u] = r.idx
			}
			props := map[string]*string{}
			for k := range landreg.EnterpriseFields {
				if v, ok := r.vals[k]; ok {
					props[k] = &v
				}
			}
			c, exists := cur[u]
			if exists && !opt.Update {
				problem(r, "conflict", "uscc", fmt.Sprintf("企业 %s 已登记；如需按文件更新，请使用 --update（update=true）/ enterprise %s is already registered: import with --update (update=true) to change it from the file", u, u))
				continue
			}
			var rec map[string]string
			if exists {
				rec = landreg.MergeRecord(c, props)
			} else {
				rec = landreg.MergeRecord(props, nil)
			}
			rec["uscc"] = u
			errs := landreg.ValidateEnterprise(rec)
			for _, e := range errs {
				code := "bad-value"
				switch {
				case rec[e.Field] == "" || (e.Field == "name" && exists):
					code = "missing-value"
				case e.Kind == landreg.KindInvalidCode:
					code = "bad-code"
				}
				problem(r, code, e.Field, e.Error())
			}
			if len(errs) == 0 && !bad[r.idx] {
				acts = append(acts, action{r: r, update: exists})
			}
		}
		rep.Invalid = len(bad)
		rep.Valid = rep.Features - rep.Invalid
		if !rep.OK() {
			return errRollback
		}
		// Stage the rows, then write them set-based.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE landreg_import_enterprises (ord int PRIMARY KEY, uscc text NOT NULL, name text,
  industry_code text, is_above_size text, address text, is_update boolean NOT NULL) ON COMMIT DROP`); err != nil {
			return err
		}
		src := make([][]any, len(acts))
		for i, a := range acts {
			v := a.r.vals
			src[i] = []any{int32(a.r.idx), v["uscc"], opt2(v, "name"), opt2(v, "industry_code"), opt2(v, "is_above_size"), opt2(v, "address"), a.update}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"landreg_import_enterprises"},
			[]string{"ord", "uscc", "name", "industry_code", "is_above_size", "address", "is_update"}, pgx.CopyFromRows(src)); err != nil {
			return err
		}
		// What the load does: rows that change nothing are left alone (no version, no
		// audit row saying nothing).
		err = tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE NOT i.is_update),
  count(*) FILTER (WHERE i.is_update AND `+enterpriseChanged+`),
  count(*) FILTER (WHERE i.is_update AND NOT `+enterpriseChanged+`)
FROM landreg_import_enterprises i LEFT JOIN enterprises e ON e.uscc = i.uscc`).Scan(&rep.Created, &rep.Updated, &rep.Unchanged)
		if err != nil {
			return err
		}
		if opt.DryRun {
			return errRollback
		}
		if _, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name, industry_code, is_above_size, address)
SELECT uscc, name, industry_code, coalesce(is_above_size::boolean, false), address
FROM landreg_import_enterprises WHERE NOT is_update ORDER BY ord`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE enterprises e SET name = coalesce(i.name, e.name),
  industry_code = coalesce(i.industry_code, e.industry_code),
  is_above_size = coalesce(i.is_above_size::boolean, e.is_above_size),
  address = coalesce(i.address, e.address)
FROM landreg_import_enterprises i WHERE i.uscc = e.uscc AND i.is_update AND `+enterpriseChanged); err != nil {
			return err
		}
		rep.Imported = rep.Created + rep.Updated
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// enterpriseChanged: a staged row (i) would change the registered enterprise (e).
const enterpriseChanged = `(i.name IS NOT NULL AND i.name IS DISTINCT FROM e.name
  OR i.industry_code IS NOT NULL AND i.industry_code IS DISTINCT FROM e.industry_code
  OR i.is_above_size IS NOT NULL AND i.is_above_size::boolean IS DISTINCT FROM e.is_above_size
  OR i.address IS NOT NULL AND i.address IS DISTINCT FROM e.address)`

// opt2 is a value for COPY: nil when the cell was empty.
func opt2(v map[string]string, k string) any {
	if s, ok := v[k]; ok {
		return s
	}
	return nil
}
