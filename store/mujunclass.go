package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// MujunResult is an official 亩均 class (亩均效益综合评价结果) the bureau published for
// an enterprise and year (domain.md §4): A 优先发展, B 鼓励提升, C 调控帮扶, D 整治淘汰.
// The preview of store.MujunYear stays unofficial beside it.
type MujunResult struct {
	USCC        string    `json:"uscc"`
	Year        int       `json:"year"`
	Class       string    `json:"class"`
	Score       *float64  `json:"score"`
	PublishedOn string    `json:"published_on"`
	DocNo       *string   `json:"doc_no"`
	Version     int       `json:"version"`
	SysFrom     time.Time `json:"sys_from"`
	CreatedBy   *string   `json:"created_by"`
}

// SetMujunResults writes published classes in one transaction: a class on file for the
// same enterprise and year is replaced by a new version (history keeps the old).
func SetMujunResults(ctx context.Context, db DB, ch Change, rs []MujunResult) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, r := range rs {
			b.Queue(`INSERT INTO mujun_results (uscc, year, class, score, published_on, doc_no)
VALUES ($1, $2, $3, $4::numeric, $5::date, $6)
ON CONFLICT (uscc, year) DO UPDATE SET class = excluded.class, score = excluded.score,
  published_on = excluded.published_on, doc_no = excluded.doc_no`, r.USCC, r.Year, r.Class, r.Score, r.PublishedOn, r.DocNo)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// MujunResults lists the official classes of a year (0: every year).
func MujunResults(ctx context.Context, db DB, year int) ([]MujunResult, error) {
	rows, err := db.Query(ctx, `SELECT uscc, year, class, score::float8, published_on::text, doc_no, version, sys_from, created_by
FROM mujun_results WHERE $1 = 0 OR year = $1 ORDER BY year, uscc`, year)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[MujunResult])
	if out == nil {
		out = []MujunResult{}
	}
	return out, err
}

// OfficialClasses maps each enterprise to its official class of the year.
func OfficialClasses(ctx context.Context, db DB, year int) (map[string]string, error) {
	rs, err := MujunResults(ctx, db, year)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.USCC] = r.Class
	}
	return m, nil
}
