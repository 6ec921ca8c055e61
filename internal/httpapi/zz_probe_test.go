package httpapi_test

import (
	"testing"
)

func TestProbeTodayExport(t *testing.T) {
	e := newEnvOn(t, "sqlite", nil)
	statsDay(t, e)
	manager := e.login("manager")
	_, body := manager.do("GET", e.shopPath()+"/stats/export?format=csv&today=1&lang=ko", "")
	t.Logf("%s", body)
	_, body = manager.do("GET", e.shopPath()+"/stats/today", "")
	t.Logf("%s", body)
}
