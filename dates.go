package landreg

import "time"

// Shanghai is China Standard Time (UTC+8, no daylight saving), where every legal date
// of the registry lives; fixed so that the binary does not depend on the machine's
// tzdata.
var Shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// CivilDate is t's calendar date in Shanghai, as a date at midnight UTC (how dates are
// compared and formatted throughout).
func CivilDate(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today is today's civil date in Shanghai (the database's landreg_sys.today()).
func Today() time.Time { return CivilDate(time.Now()) }
