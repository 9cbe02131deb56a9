package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
)

// Enterprise is a holder of parcels (企业, 权利人), keyed by its 统一社会信用代码.
type Enterprise struct {
	USCC         string  `json:"uscc"`
	Name         string  `json:"name"`
	IndustryCode *string `json:"industry_code"`
	IsAboveSize  bool    `json:"is_above_size"`
	Address      *string `json:"address"`
	Synthetic    bool    `json:"synthetic"`
	// Parcels are the current parcels it holds (GetEnterprise only).
	Parcels []HeldParcel `json:"parcels,omitempty"`
}

// HeldParcel is a current parcel of an enterprise.
type HeldParcel struct {
	ID    int64  `json:"id"`
	Zddm  string `json:"zddm"`
	Xzqdm string `json:"xzqdm"`
}

const enterpriseColumns = `uscc, name, industry_code, is_above_size, address, synthetic`

func scanEnterprise(r pgx.CollectableRow) (Enterprise, error) {
	var e Enterprise
	err := r.Scan(&e.USCC, &e.Name, &e.IndustryCode, &e.IsAboveSize, &e.Address, &e.Synthetic)
	return e, err
}

// enterpriseAssignments renders props (landreg.EnterpriseFields names → text, nil =
// NULL) as columns and bind placeholders, in a stable order.
func enterpriseAssignments(props map[string]*string, args *sqlArgs) (cols, vals []string) {
	names := make([]string, 0, len(props))
	for k := range props {
		if _, ok := landreg.EnterpriseFields[k]; ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		cols = append(cols, k)
		if v := props[k]; v != nil {
			vals = append(vals, args.add(*v)+"::"+landreg.EnterpriseFields[k])
		} else if k == "is_above_size" {
			vals = append(vals, "DEFAULT")
		} else {
			vals = append(vals, "NULL")
		}
	}
	return cols, vals
}

// CreateEnterprise registers an enterprise; a USCC already registered is a duplicate.
func CreateEnterprise(ctx context.Context, db DB, ch Change, uscc string, props map[string]*string) error {
	args := sqlArgs{uscc}
	cols, vals := enterpriseAssignments(props, &args)
	sql := "INSERT INTO enterprises (uscc"
	if len(cols) > 0 {
		sql += ", " + strings.Join(cols, ", ")
	}
	sql += ") VALUES ($1"
	if len(vals) > 0 {
		sql += ", " + strings.Join(vals, ", ")
	}
	sql += ")"
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql, args...)
		return err
	})
}

// UpdateEnterprise changes an enterprise's name, industry, 规上 flag or address.
func UpdateEnterprise(ctx context.Context, db DB, ch Change, uscc string, props map[string]*string) error {
	args := sqlArgs{uscc}
	cols, vals := enterpriseAssignments(props, &args)
	if len(cols) == 0 {
		_, err := GetEnterprise(ctx, db, uscc)
		return err
	}
	sets := make([]string, len(cols))
	for i := range cols {
		sets[i] = cols[i] + " = " + vals[i]
	}
	sql := "UPDATE enterprises SET " + strings.Join(sets, ", ") + " WHERE uscc = $1"
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err == nil && tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return err
	})
}

// GetEnterprise reads an enterprise with the current parcels it holds.
func GetEnterprise(ctx context.Context, db DB, uscc string) (*Enterprise, error) {
	rows, err := db.Query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE uscc = $1`, uscc)
	if err != nil {
		return nil, err
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEnterprise)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT id, zddm, xzqdm FROM parcels WHERE holder_uscc = $1 ORDER BY id`, uscc)
	if err != nil {
		return nil, err
	}
	e.Parcels, err = pgx.CollectRows(rows, pgx.RowToStructByPos[HeldParcel])
	if err != nil {
		return nil, err
	}
	if e.Parcels == nil {
		e.Parcels = []HeldParcel{}
	}
	return &e, nil
}

// EnterpriseQuery selects a page of enterprises: Q matches the USCC's start or any part
// of the name; IndustryCode matches the code's start (a 大类 finds its 小类).
type EnterpriseQuery struct {
	Q            string
	IndustryCode string
	AboveSize    *bool
	Limit        int
	Offset       int
}

// ListEnterprises returns a page of enterprises in USCC order and the number matching.
func ListEnterprises(ctx context.Context, db DB, q EnterpriseQuery) ([]Enterprise, int64, error) {
	var args sqlArgs
	var conds []string
	if q.Q != "" {
		p := args.add(likeEscape(q.Q))
		conds = append(conds, fmt.Sprintf("(uscc LIKE %[1]s || '%%' OR name LIKE '%%' || %[1]s || '%%')", p))
	}
	if q.IndustryCode != "" {
		conds = append(conds, "industry_code LIKE "+args.add(likeEscape(q.IndustryCode))+" || '%'")
	}
	if q.AboveSize != nil {
		conds = append(conds, "is_above_size = "+args.add(*q.AboveSize))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int64
	if err := db.QueryRow(ctx, "SELECT count(*) FROM enterprises"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	sql := "SELECT " + enterpriseColumns + " FROM enterprises" + where + " ORDER BY uscc LIMIT " + args.add(q.Limit) + " OFFSET " + args.add(q.Offset)
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, scanEnterprise)
	if list == nil {
		list = []Enterprise{}
	}
	return list, total, err
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// EnterpriseExists reports whether uscc is a registered enterprise.
func EnterpriseExists(ctx context.Context, db DB, uscc string) (bool, error) {
	var ok bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM enterprises WHERE uscc = $1)`, uscc).Scan(&ok)
	return ok, err
}

// EnterpriseProps reads an enterprise's writable fields as text (to validate a change as
// the record it would leave).
func EnterpriseProps(ctx context.Context, db DB, uscc string) (map[string]*string, error) {
	var raw map[string]any
	err := db.QueryRow(ctx, `SELECT to_jsonb(e) FROM enterprises e WHERE uscc = $1`, uscc).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := map[string]*string{}
	for k := range landreg.EnterpriseFields {
		if v, ok := raw[k]; ok && v != nil {
			s := jsonText(v)
			out[k] = &s
		}
	}
	return out, nil
}
