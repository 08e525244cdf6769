//go:build !race

package widget_test

// raceDetector is true under -race, whose shadow memory and tenfold
// slowdown make a memory-budget test mean nothing.
const raceDetector = false
