package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"testing"
)

// TestExportCustomerName: an export names the customer by their name, and
// shows the agents' nickname for them in a column of its own. It used to
// show the nickname in place of the name (as the console's lists do), so a
// customer an agent had nicknamed "진상 고객" lost their name in the file.
func TestExportCustomerName(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { exportCustomerName(t, newEnvOn(t, kind, nil)) })
	}
}

func exportCustomerName(t *testing.T, e *env) {
	kim, manager := e.login("kim"), e.login("manager")
	visitor := e.visitor("shop", `,"extra":{"cus_extra_username":"홍길동"}`)
	conv := visitor.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	kim.json("PATCH", e.convPath(conv.ID)+"/customer", `{"nickname":"진상 고객"}`, 200, nil)
	visitor.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v1","body":"환불해 주세요"}`, 201, nil)

	export := func(layout string) [][]string {
		t.Helper()
		var created struct{ ID int64 }
		manager.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"`+layout+`"}`, 202, &created)
		e.runJobs()
		status, data := manager.do("GET", fmt.Sprintf("%s/exports/%d/file", e.shopPath(), created.ID), "")
		if status != 200 {
			t.Fatalf("%s export: %d %s", layout, status, data)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
		must(t, err)
		return recs
	}
	column := func(recs [][]string, header string) int {
		t.Helper()
		for i, h := range recs[0] {
			if h == header {
				return i
			}
		}
		t.Fatalf("no column %q in %q", header, recs[0])
		return 0
	}
	recs := export("conversations")
	if len(recs) != 2 || recs[1][column(recs, "고객 Customer")] != "홍길동" || recs[1][column(recs, "별명 Nickname")] != "진상 고객" {
		t.Errorf("conversations: %q", recs)
	}
	recs = export("messages")
	// The assignment's system message, then the customer's.
	if len(recs) != 3 || recs[2][column(recs, "보낸 사람 Sender")] != "홍길동" || recs[2][column(recs, "내용 Text")] != "환불해 주세요" {
		t.Errorf("messages: %q", recs)
	}
}
