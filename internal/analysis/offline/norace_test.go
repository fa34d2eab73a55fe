//go:build !race

package offline

// raceDetector is set when the tests run under the race detector, which makes the
// pattern model's training several times slower.
const raceDetector = false
