//go:build nostatsrollup

package sqldb

// statsRollup is off in this build (tag nostatsrollup): the write path's
// "before" in docs/benchmarks.md. The statistics it keeps are wrong.
const statsRollup = false
