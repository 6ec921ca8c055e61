// Package lint holds repository-wide checks as tests, run with every
// `make test`: the house style that go vet does not check, and that the
// documents name what the code has (docs/architecture.md's package map,
// every SODAM_* variable the code reads).
package lint
