package landreg

// MergeRecord is the record a write would leave, as column → text: the current values,
// with the patch's values over them and its nulls clearing them. The Validate functions
// judge such records.
func MergeRecord(cur, patch map[string]*string) map[string]string {
	rec := make(map[string]string, len(cur)+len(patch))
	for k, v := range cur {
		if v != nil {
			rec[k] = *v
		}
	}
	for k, v := range patch {
		if v == nil {
			delete(rec, k)
		} else {
			rec[k] = *v
		}
	}
	return rec
}
