package sqlite_test

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/store/storetest"
)

func BenchmarkTicketList(b *testing.B) { storetest.BenchTicketList(b, open) }
