//go:build race

package sqlitestore_test

// raceDetector is true under -race, whose tenfold slowdown makes a test of
// how long a batch holds SQLite's write lock mean nothing.
const raceDetector = true
