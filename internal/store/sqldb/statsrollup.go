//go:build !nostatsrollup

package sqldb

// statsRollup keeps the statistics roll-up in every write. Building with
// the tag nostatsrollup turns it off, for one thing only: measuring what
// the roll-up adds to the write path (docs/benchmarks.md, "Statistics:
// what the roll-up adds to the write path"). Such a build counts nothing.
const statsRollup = true
