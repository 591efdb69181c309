//go:build race

package parse

// raceHeadroom is added to a worker's default memory cap in race builds,
// whose shadow memory is never given back: measured with
// BenchmarkWorkerMemory (make bench-memory, BENCHMARKS.md), a race-built
// worker that compiled PDFium holds 880 MiB once ready (60 MiB without
// -race) and peaks at 1,055 MiB over the corpus (223 MiB).
const raceHeadroom = 1 << 30
