package httpapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestFAQSpeed measures, on the FAQ evaluation set imported through the
// API, the help center's article page and the robot's answer to a visitor
// message (whose answer is committed and published before the visitor's
// POST returns). A measurement, not a check: it runs only with
// SODAM_FAQ_SPEED=1 and logs the figures docs/benchmarks.md records.
func TestFAQSpeed(t *testing.T) {
	if os.Getenv("SODAM_FAQ_SPEED") == "" {
		t.Skip("a measurement: SODAM_FAQ_SPEED=1 go test ./internal/httpapi -run TestFAQSpeed -v")
	}
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqSpeed(t, newEnvOn(t, kind, nil)) })
	}
}

func faqSpeed(t *testing.T, e *env) {
	b, err := os.ReadFile("../faq/testdata/shop.json")
	must(t, err)
	var set struct {
		Articles []struct {
			Title    string   `json:"title"`
			Keywords []string `json:"keywords"`
			Body     string   `json:"body"`
		} `json:"articles"`
	}
	must(t, json.Unmarshal(b, &set))
	file := chat.FAQExport{Version: 1}
	for _, a := range set.Articles {
		file.Articles = append(file.Articles, chat.Article{Title: a.Title, Keywords: a.Keywords, BodyHTML: a.Body, Lang: "ko", Published: true})
	}
	body, _ := json.Marshal(file)
	m := e.login("manager")
	m.json("POST", e.shopPath()+"/faq/import", string(body), 200, nil)
	m.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
	var arts []chat.Article
	m.json("GET", e.shopPath()+"/faq/articles", "", 200, &arts)

	p95 := func(d []time.Duration) time.Duration {
		slices.Sort(d)
		return d[len(d)*95/100]
	}
	anon := e.anonymous()
	var page []time.Duration
	for i := range 1000 {
		start := time.Now()
		status, _ := anon.do("GET", fmt.Sprintf("/help/shop/articles/%d", arts[i%len(arts)].ID), "")
		page = append(page, time.Since(start))
		if status != 200 {
			t.Fatalf("article page %d", status)
		}
	}
	qf, err := os.Open("../faq/testdata/questions.txt")
	must(t, err)
	defer qf.Close()
	var qs []string
	sc := bufio.NewScanner(qf)
	for sc.Scan() {
		if _, q, ok := strings.Cut(sc.Text(), " | "); ok && !strings.HasPrefix(sc.Text(), "#") {
			qs = append(qs, q)
		}
	}
	var robot []time.Duration
	for i := 0; i < len(qs); i += 6 {
		v := e.visitor("shop", "")
		c := v.start()
		for j, q := range qs[i:min(i+6, len(qs))] {
			msg, _ := json.Marshal(map[string]string{"client_msg_id": fmt.Sprint("q", j), "body": q})
			start := time.Now()
			status, data := v.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), string(msg))
			robot = append(robot, time.Since(start))
			if status != 201 {
				t.Fatalf("send %d %s", status, data)
			}
		}
	}
	t.Logf("%d articles: help center article page p95 %v (%d requests); visitor message with the robot's answer p95 %v (%d messages)",
		len(arts), p95(page), len(page), p95(robot), len(robot))
}
