package postgres_test

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, postgres.OpenTest) }

func BenchmarkAppendMessage(b *testing.B) { storetest.BenchAppendMessage(b, postgres.OpenTest) }
