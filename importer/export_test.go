package importer

// SetValueLimit lowers MaxValueBytes for a test, and returns what puts
// it back.
func SetValueLimit(n int64) func() {
	old := valueLimit
	valueLimit = n
	return func() { valueLimit = old }
}
