//go:build !race

package parse

// raceHeadroom: see race_on.go.
const raceHeadroom = 0
