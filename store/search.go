package store

import (
	"context"
	"strings"
)

// SearchHit is one parcel found by SearchParcels: what a list of results shows and the
// box a map flies to.
type SearchHit struct {
	ID          int64      `json:"id"`
	Zddm        string     `json:"zddm"`
	HolderName  *string    `json:"holder"`
	HolderUSCC  *string    `json:"holder_uscc"`
	ProjectName *string    `json:"project"`
	Xzqdm       string     `json:"xzqdm"`
	Matched     string     `json:"matched"` // the field that matched best: zddm, holder_name, holder_uscc, project_name
	Prefix      bool       `json:"prefix"`  // the match is at the start of that field
	BBox        [4]float64 `json:"bbox"`    // minLon, minLat, maxLon, maxLat (CGCS2000)
}

// searchSQL finds current parcels whose 宗地代码, 权利人, USCC or 项目名称 contains the
// text, case-insensitively; the trigram indexes (migrations 00024, 00036) serve the
// lower(column) LIKE lower(pattern) of the WHERE clause, the one form they are built
// for (a text of under three characters makes no trigram and reads the index whole,
// still bounded by the table). Exact codes first, then prefixes, then the rest, each by code.
// $1 the text, $2 prefix pattern, $3 contains pattern, $4 limit.
const searchSQL = `
WITH m AS (
  SELECT p.id, p.zddm, p.holder_name, p.holder_uscc, p.project_name, p.xzqdm, p.geom,
    CASE WHEN upper(p.zddm) = upper($1) OR upper(p.holder_uscc) = upper($1) THEN 0
         WHEN p.zddm ILIKE $2 OR p.holder_name ILIKE $2 OR p.holder_uscc ILIKE $2 OR p.project_name ILIKE $2 THEN 1
         ELSE 2 END AS rank
  FROM parcels p
  WHERE lower(p.zddm) LIKE lower($3) OR lower(p.holder_name) LIKE lower($3) OR lower(p.holder_uscc) LIKE lower($3)
     OR lower(p.project_name) LIKE lower($3)
)
SELECT id, zddm, holder_name, holder_uscc, project_name, xzqdm,
  CASE WHEN zddm ILIKE $2 THEN 'zddm' WHEN holder_uscc ILIKE $2 THEN 'holder_uscc'
       WHEN holder_name ILIKE $2 THEN 'holder_name' WHEN project_name ILIKE $2 THEN 'project_name'
       WHEN zddm ILIKE $3 THEN 'zddm' WHEN holder_uscc ILIKE $3 THEN 'holder_uscc'
       WHEN holder_name ILIKE $3 THEN 'holder_name' ELSE 'project_name' END,
  rank <= 1, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
FROM m CROSS JOIN LATERAL (SELECT box2d(m.geom) AS b) x
ORDER BY rank, zddm, id
LIMIT $4`

// likeEscaper makes the caller's text literal in a LIKE pattern (backslash is the
// default escape character).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchParcels returns up to limit current parcels matching text (see searchSQL).
func SearchParcels(ctx context.Context, db DB, text string, limit int) ([]SearchHit, error) {
	lit := likeEscaper.Replace(text)
	rows, err := db.Query(ctx, searchSQL, text, lit+"%", "%"+lit+"%", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []SearchHit{}
	for rows.Next() {
		var h SearchHit
		if err := rows.Scan(&h.ID, &h.Zddm, &h.HolderName, &h.HolderUSCC, &h.ProjectName, &h.Xzqdm, &h.Matched, &h.Prefix,
			&h.BBox[0], &h.BBox[1], &h.BBox[2], &h.BBox[3]); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}
