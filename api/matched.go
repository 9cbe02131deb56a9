package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/landreg/landreg/store"
)

// Paging runs count once. The first page counts the features matching the query
// (numberMatched) and its next and prev links carry the count as matched=N.sig, signed
// with a key of this process, so later pages skip the count, which grows with the table
// while a keyset page does not. numberMatched of a later page is therefore the count when
// the run began. A token this server did not sign for this query (another process,
// an edited link) is ignored and the page counts again: the answer is right either way.

// countParams are the parameters that do not change which features match.
var countParams = map[string]bool{"after": true, "offset": true, "limit": true, "matched": true, "f": true,
	"crs": true, "properties": true, "skipGeometry": true, "sortby": true}

func newMatchedKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return k
}

func (s *Server) matchedSig(coll *store.Collection, params url.Values, n int64) string {
	q := url.Values{}
	for k, v := range params {
		if !countParams[k] {
			q[k] = v
		}
	}
	m := hmac.New(sha256.New, s.matchedKey)
	m.Write([]byte(coll.ID + "\n" + q.Encode() + "\n" + strconv.FormatInt(n, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// matchedToken is the matched= value the links of a page carry.
func (s *Server) matchedToken(coll *store.Collection, params url.Values, n int64) string {
	return strconv.FormatInt(n, 10) + "." + s.matchedSig(coll, params, n)
}

// carriedMatched reads a matched= token this server signed for this query.
func (s *Server) carriedMatched(coll *store.Collection, params url.Values) (int64, bool) {
	num, sig, ok := strings.Cut(params.Get("matched"), ".")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, hmac.Equal([]byte(sig), []byte(s.matchedSig(coll, params, n)))
}
