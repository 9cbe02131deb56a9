package landreg

// Area units. 1 亩 (mu) is exactly 10000/15 m² (市制), so m² → 亩 is × 3/2000; rounded
// constants such as 666.67 are already 5 ppm off, hence the exact ratio. The database
// has the same conversion once (landreg_sys.m2_to_mu).
const (
	M2PerMu = 10000.0 / 15.0
	M2PerHa = 10000.0
)

// Mu converts square metres to 亩.
func Mu(m2 float64) float64 { return m2 * 3 / 2000 }

// Ha converts square metres to 公顷.
func Ha(m2 float64) float64 { return m2 / M2PerHa }
