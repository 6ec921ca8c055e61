// Package lint holds repository-wide checks of the house style that go vet
// does not make, as tests: they run with every `make test`.
package lint
