package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Project is a remediation project of low-efficiency land (低效用地整治项目, domain.md
// §8.7): its status runs 列入清单 → 制定方案 → 整治中 → 达标销号 | 关停退出, enforced by the
// database (landreg_sys.remediation_check).
type Project struct {
	ID              int64     `json:"id"`
	Version         int       `json:"version"`
	Xzqdm           string    `json:"xzqdm"`
	Town            string    `json:"town"`
	Name            string    `json:"name"`
	Method          string    `json:"method"`
	PlannedMu       float64   `json:"planned_mu"`
	PlannedFrom     string    `json:"planned_from"`
	PlannedTo       string    `json:"planned_to"`
	PlanText        *string   `json:"plan_text"`
	Documents       []string  `json:"documents"`
	BlockRenewal    bool      `json:"block_renewal"`
	Status          string    `json:"status"`
	StatusSince     string    `json:"status_since"`
	FreedMu         *float64  `json:"freed_mu"`
	NewHolderUSCC   *string   `json:"new_holder_uscc"`
	NewProject      *string   `json:"new_project"`
	NewTaxPerMuWan  *float64  `json:"new_tax_per_mu_wan"`
	ValidFrom       string    `json:"valid_from"`
	ValidTo         *string   `json:"valid_to,omitempty"`
	SysFrom         time.Time `json:"sys_from"`
	CreatedBy       *string   `json:"created_by"`
	Reason          *string   `json:"reason"`
	Parcels         []int64   `json:"parcels,omitempty"`
	Enterprises     []string  `json:"enterprises,omitempty"`
	Events          []Step    `json:"events,omitempty"`
	History         []Project `json:"history,omitempty"`
	ParcelsMu       *float64  `json:"parcels_mu,omitempty"`
	EnterpriseCount *int      `json:"enterprise_count,omitempty"`
}

// Step is a dated event of a project's progress: a status it took (kind "status",
// written by the database) or a note of progress.
type Step struct {
	ID         int64     `json:"id"`
	EventDate  string    `json:"event_date"`
	Kind       string    `json:"kind"`
	Status     *string   `json:"status"`
	Note       *string   `json:"note"`
	DocNo      *string   `json:"doc_no"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// ProjectFields are the columns a caller writes when creating or changing a project.
// The status moves only through SetProjectStatus; status_since is the database's.
var ProjectFields = map[string]string{
	"xzqdm": "text", "town": "text", "name": "text", "method": "text", "planned_mu": "numeric",
	"planned_from": "date", "planned_to": "date", "plan_text": "text", "documents": "text[]",
	"block_renewal": "boolean", "new_holder_uscc": "text", "new_project": "text", "new_tax_per_mu_wan": "numeric",
	"freed_mu": "numeric",
}

// ResultFields are the result columns a status change may write with it.
var ResultFields = []string{"freed_mu", "new_holder_uscc", "new_project", "new_tax_per_mu_wan"}

const projectColumns = `id, version, xzqdm, town, name, method, planned_mu::float8, planned_from::text, planned_to::text,
  plan_text, documents, block_renewal, status, status_since::text, freed_mu::float8, new_holder_uscc, new_project,
  new_tax_per_mu_wan::float8, valid_from::text, sys_from, created_by, reason`

func scanProject(r pgx.CollectableRow) (Project, error) {
	var p Project
	err := r.Scan(&p.ID, &p.Version, &p.Xzqdm, &p.Town, &p.Name, &p.Method, &p.PlannedMu, &p.PlannedFrom, &p.PlannedTo,
		&p.PlanText, &p.Documents, &p.BlockRenewal, &p.Status, &p.StatusSince, &p.FreedMu, &p.NewHolderUSCC, &p.NewProject,
		&p.NewTaxPerMuWan, &p.ValidFrom, &p.SysFrom, &p.CreatedBy, &p.Reason)
	return p, err
}

// CreateProject lists a project (列入清单) with its parcels and firms.
func CreateProject(ctx context.Context, db DB, ch Change, fields map[string]*string, parcels []int64, usccs []string) (int64, error) {
	var id int64
	err := InTx(ctx, db, ch, func(tx pgx.Tx) (err error) {
		if id, err = insertRow(ctx, tx, "remediation_projects", ProjectFields, fields); err != nil {
			return err
		}
		return link(ctx, tx, id, parcels, usccs)
	})
	return id, err
}

func link(ctx context.Context, tx pgx.Tx, id int64, parcels []int64, usccs []string) error {
	if len(parcels) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO remediation_project_parcels (project_id, parcel_id, added_by)
SELECT $1, p, '' FROM unnest($2::bigint[]) p ON CONFLICT DO NOTHING`, id, parcels); err != nil {
			return err
		}
	}
	if len(usccs) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO remediation_project_enterprises (project_id, uscc, added_by)
SELECT $1, u, '' FROM unnest($2::text[]) u ON CONFLICT DO NOTHING`, id, usccs); err != nil {
			return err
		}
	}
	return nil
}

// UpdateProject changes a project's fields (a new version); closed projects are frozen.
func UpdateProject(ctx context.Context, db DB, ch Change, id int64, fields map[string]*string) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		return updateRow(ctx, tx, "remediation_projects", ProjectFields, id, fields)
	})
}

// SetProjectStatus moves a project to its next status as of ch.Effective (the legal
// date), with the result fields given (freed_mu is required to close). The database
// refuses a skipped or backward step and any change of a closed project.
func SetProjectStatus(ctx context.Context, db DB, ch Change, id int64, status string, result map[string]*string) error {
	// One statement: the status and its result are one version, and the database judges
	// the step on the version it replaces.
	allowed := map[string]string{"status": "text"}
	fields := map[string]*string{"status": &status}
	for _, k := range ResultFields {
		if v, ok := result[k]; ok {
			fields[k], allowed[k] = v, ProjectFields[k]
		}
	}
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		return updateRow(ctx, tx, "remediation_projects", allowed, id, fields)
	})
}

// AddProgress records a dated note of a project's progress.
func AddProgress(ctx context.Context, db DB, ch Change, id int64, date time.Time, note string, docNo *string) (int64, error) {
	var eid int64
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO remediation_events (project_id, event_date, kind, note, doc_no, recorded_by)
VALUES ($1, $2, 'progress', $3, $4, '') RETURNING id`, id, date, note, docNo).Scan(&eid)
	})
	return eid, err
}

// LinkProject adds parcels and firms to a project; UnlinkProject removes them.
func LinkProject(ctx context.Context, db DB, ch Change, id int64, parcels []int64, usccs []string) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error { return link(ctx, tx, id, parcels, usccs) })
}

// UnlinkProject removes parcels and firms from a project.
func UnlinkProject(ctx context.Context, db DB, ch Change, id int64, parcels []int64, usccs []string) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM remediation_project_parcels WHERE project_id = $1 AND parcel_id = ANY ($2)`, id, parcels); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM remediation_project_enterprises WHERE project_id = $1 AND uscc = ANY ($2)`, id, usccs)
		return err
	})
}

// DeleteProject removes a project still at 列入清单 (its versions stay in history).
func DeleteProject(ctx context.Context, db DB, ch Change, id int64) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM remediation_projects WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return err
	})
}

// GetProject reads a project with its parcels, firms, dated events and earlier versions.
func GetProject(ctx context.Context, db DB, id int64) (*Project, error) {
	rows, err := db.Query(ctx, `SELECT `+projectColumns+` FROM remediation_projects WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanProject)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := db.QueryRow(ctx, `SELECT coalesce((SELECT array_agg(parcel_id ORDER BY parcel_id) FROM remediation_project_parcels WHERE project_id = $1), '{}'),
  coalesce((SELECT array_agg(uscc ORDER BY uscc) FROM remediation_project_enterprises WHERE project_id = $1), '{}')`, id).
		Scan(&p.Parcels, &p.Enterprises); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT id, event_date::text, kind, status, note, doc_no, recorded_at, recorded_by
FROM remediation_events WHERE project_id = $1 ORDER BY event_date, id`, id)
	if err != nil {
		return nil, err
	}
	if p.Events, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Step]); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT `+projectColumns+`, valid_to::text FROM remediation_projects_history WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	p.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Project, error) {
		var h Project
		err := r.Scan(&h.ID, &h.Version, &h.Xzqdm, &h.Town, &h.Name, &h.Method, &h.PlannedMu, &h.PlannedFrom, &h.PlannedTo,
			&h.PlanText, &h.Documents, &h.BlockRenewal, &h.Status, &h.StatusSince, &h.FreedMu, &h.NewHolderUSCC, &h.NewProject,
			&h.NewTaxPerMuWan, &h.ValidFrom, &h.SysFrom, &h.CreatedBy, &h.Reason, &h.ValidTo)
		return h, err
	})
	return &p, err
}

// ProjectQuery selects projects by district and status ("" = all).
type ProjectQuery struct{ Xzqdm, Status string }

// ListProjects lists current projects with the area of their parcels and their firms' count.
func ListProjects(ctx context.Context, db DB, q ProjectQuery) ([]Project, error) {
	rows, err := db.Query(ctx, `SELECT `+projectColumns+`,
  (SELECT landreg_sys.m2_to_mu(sum(coalesce(v.registered_area_m2::float8, v.area_m2))) FROM remediation_project_parcels l
   JOIN parcels v ON v.id = l.parcel_id WHERE l.project_id = r.id),
  (SELECT count(*)::int FROM remediation_project_enterprises l WHERE l.project_id = r.id)
FROM remediation_projects r WHERE ($1 = '' OR xzqdm = $1) AND ($2 = '' OR status = $2) ORDER BY xzqdm, id`, q.Xzqdm, q.Status)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Project, error) {
		var p Project
		err := r.Scan(&p.ID, &p.Version, &p.Xzqdm, &p.Town, &p.Name, &p.Method, &p.PlannedMu, &p.PlannedFrom, &p.PlannedTo,
			&p.PlanText, &p.Documents, &p.BlockRenewal, &p.Status, &p.StatusSince, &p.FreedMu, &p.NewHolderUSCC, &p.NewProject,
			&p.NewTaxPerMuWan, &p.ValidFrom, &p.SysFrom, &p.CreatedBy, &p.Reason, &p.ParcelsMu, &p.EnterpriseCount)
		return p, err
	})
	if out == nil {
		out = []Project{}
	}
	return out, err
}

// LedgerRow is one line of the remediation ledger (整治台账): projects of a district and
// status as of a date, as known at a time, with the 亩 planned and freed.
type LedgerRow struct {
	Xzqdm     string  `json:"xzqdm"`
	District  string  `json:"district"`
	Status    string  `json:"status"`
	Projects  int     `json:"projects"`
	PlannedMu float64 `json:"planned_mu"`
	FreedMu   float64 `json:"freed_mu"`
}

// RemediationLedger counts the projects in force at d (as known at known, nil: now) by
// district and status, in the order of the chain.
func RemediationLedger(ctx context.Context, db DB, d time.Time, known *time.Time, xzqdm string) ([]LedgerRow, error) {
	rows, err := db.Query(ctx, `SELECT p.xzqdm, coalesce(d.name, p.xzqdm), p.status, count(*)::int,
  sum(p.planned_mu)::float8, coalesce(sum(p.freed_mu), 0)::float8
FROM remediation_projects_all p
JOIN landreg_sys.remediation_statuses s ON s.code = p.status
LEFT JOIN districts d ON d.xzqdm = p.xzqdm
WHERE p.valid_from <= $1 AND ($2::timestamptz IS NULL OR p.sys_from <= $2)
  AND (p.valid_to IS NULL OR p.valid_to > $1 OR ($2::timestamptz IS NOT NULL AND p.sys_to > $2))
  AND ($3 = '' OR p.xzqdm = $3)
GROUP BY p.xzqdm, d.name, p.status, s.step ORDER BY p.xzqdm, s.step, p.status`, d, known, xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[LedgerRow])
}

// Candidate is a firm on the 整治企业清单: 低效 by its 亩均税收 for the year (below its
// district's threshold), or officially class D, with the project it is in (one naming it,
// or one of the parcels it holds), if any.
type Candidate struct {
	USCC          string   `json:"uscc"`
	Name          string   `json:"name"`
	Xzqdm         *string  `json:"xzqdm"`
	Year          int      `json:"year"`
	LandMu        *float64 `json:"land_mu"`
	TaxPerMu      *float64 `json:"tax_per_mu_wan"`
	Threshold     *float64 `json:"low_efficiency_threshold_wan"`
	LowEfficiency bool     `json:"low_efficiency"`
	OfficialClass *string  `json:"official_class"`
	ProjectID     *int64   `json:"project_id"`
	ProjectName   *string  `json:"project_name"`
	ProjectStatus string   `json:"project_status"` // the project's status, or 未列项目
}

// LatestEvaluatedYear is the latest year with 亩均 figures or official classes on file.
func LatestEvaluatedYear(ctx context.Context, db DB) (int, error) {
	var y *int
	err := db.QueryRow(ctx, `SELECT greatest(
  (SELECT max((payload->>'year')::int) FROM parcel_events WHERE type = 'ANNUAL_INDICATORS'),
  (SELECT max(year) FROM mujun_results))`).Scan(&y)
	if err != nil || y == nil {
		return 0, err
	}
	return *y, nil
}

// Candidates lists the 整治企业清单 for a year (docs/decisions.md, issue 15).
func Candidates(ctx context.Context, db DB, year int, xzqdm string) ([]Candidate, error) {
	rows, err := db.Query(ctx, `WITH m AS (
  SELECT m.*, (landreg_sys.policy(m.xzqdm, make_date($1, 12, 31))).low_eff_tax_per_mu_wan::float8 AS thr
  FROM landreg_sys.target_mujun($1, landreg_sys.today(), NULL) m
), o AS (
  SELECT uscc, class FROM mujun_results WHERE year = $1
), c AS (
  SELECT coalesce(m.uscc, o.uscc) AS uscc, m.xzqdm, m.land_mu, landreg_sys.ratio(m.tax_wan, m.land_mu) AS tax_per_mu, m.thr,
    coalesce(m.land_mu > 0 AND m.tax_wan / m.land_mu < m.thr, false) AS low, o.class
  FROM m FULL JOIN o ON o.uscc = m.uscc
)
SELECT c.uscc, coalesce(e.name, c.uscc), coalesce(c.xzqdm, (SELECT min(v.xzqdm) FROM parcels v WHERE v.holder_uscc = c.uscc)),
  $1::int, c.land_mu, c.tax_per_mu, c.thr, c.low, c.class, j.id, j.name, coalesce(j.status, '未列项目')
FROM c
LEFT JOIN enterprises e ON e.uscc = c.uscc
LEFT JOIN LATERAL (
  -- Its project: one naming the firm, or one of the parcels it holds; an open one first.
  SELECT p.id, p.name, p.status FROM remediation_projects p
  JOIN landreg_sys.remediation_statuses s ON s.code = p.status
  WHERE EXISTS (SELECT FROM remediation_project_enterprises l WHERE l.project_id = p.id AND l.uscc = c.uscc)
     OR EXISTS (SELECT FROM remediation_project_parcels l JOIN parcels v ON v.id = l.parcel_id
                WHERE l.project_id = p.id AND v.holder_uscc = c.uscc)
  ORDER BY s.closed, p.id DESC LIMIT 1) j ON true
WHERE (c.low OR c.class = 'D')
  AND ($2 = '' OR coalesce(c.xzqdm, (SELECT min(v.xzqdm) FROM parcels v WHERE v.holder_uscc = c.uscc)) = $2)
ORDER BY 3, c.tax_per_mu NULLS LAST, c.uscc`, year, xzqdm)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Candidate])
	if out == nil {
		out = []Candidate{}
	}
	return out, err
}
