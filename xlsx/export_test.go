package xlsx

// SetMaxRows lowers Excel's row limit for a test and returns the restore.
func SetMaxRows(n int) (restore func()) {
	old := maxRows
	maxRows = n
	return func() { maxRows = old }
}
