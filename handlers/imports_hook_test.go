package handlers

// SetImportBatch sets how many rows one Commit of an import writes, for a
// test; the returned func restores it.
func SetImportBatch(n int) func() {
	old := importBatch
	importBatch = n
	return func() { importBatch = old }
}
