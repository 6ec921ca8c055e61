package postgres_test

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

func BenchmarkTicketList(b *testing.B) { storetest.BenchTicketList(b, postgres.OpenTest) }
