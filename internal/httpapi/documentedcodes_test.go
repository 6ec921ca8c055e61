package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestMain runs the package's tests, then checks that every error the
// scenario servers answered an API route with — its status and its code —
// is one openapi.json lists for that operation: a handler that learns a
// new refusal fails the run until the description says so. The check is
// of what the tests that ran saw, so it holds for any -run.
func TestMain(m *testing.M) {
	code := m.Run()
	if problems := undocumentedCodes(); len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL: the tests saw error answers that openapi.json does not list (documentedcodes_test.go):")
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "   ", p)
		}
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// answered collects, per route pattern, the "status code" pairs the
// scenario servers answered with.
var answered = struct {
	sync.Mutex
	m map[string]map[string]bool
}{m: map[string]map[string]bool{}}

// globalCodes are answered by any route and described once, in the
// components every operation refers to.
var globalCodes = map[string]string{"500 internal_error": "InternalError", "503 unavailable": "Unavailable", "503 overloaded": "Unavailable"}

// observeCodes wraps a scenario server's handler to record its error
// answers on API routes.
func observeCodes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &codeRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status < 400 || !strings.Contains(r.Pattern, " /api/") {
			return
		}
		var body struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(rec.body.Bytes(), &body) != nil || body.Error.Code == "" {
			return // not Sodam's JSON error (the WebSocket library's)
		}
		answered.Lock()
		defer answered.Unlock()
		if answered.m[r.Pattern] == nil {
			answered.m[r.Pattern] = map[string]bool{}
		}
		answered.m[r.Pattern][fmt.Sprintf("%d %s", rec.status, body.Error.Code)] = true
	})
}

// codeRecorder keeps an error answer's status and the start of its body.
type codeRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *codeRecorder) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeRecorder) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.status >= 400 && c.body.Len() < 4096 {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *codeRecorder) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *codeRecorder) Flush() { http.NewResponseController(c.ResponseWriter).Flush() }

func (c *codeRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

var patternParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// undocumentedCodes lists what the servers answered that openapi.json
// does not: an operation without that status, or a status whose
// description does not name the code.
func undocumentedCodes() []string {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		return []string{err.Error()}
	}
	var loose struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &loose); err != nil {
		return []string{err.Error()}
	}
	type response struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
	}
	type operation struct {
		Responses map[string]response `json:"responses"`
	}
	ops := map[string]operation{} // "get /api/v1/…"
	for path, item := range loose.Paths {
		for method, raw := range item {
			var op operation
			// A path item's other keys (parameters, summary) are no operation.
			if json.Unmarshal(raw, &op) == nil && op.Responses != nil {
				ops[method+" "+path] = op
			}
		}
	}
	answered.Lock()
	defer answered.Unlock()
	var problems []string
	for pattern, seen := range answered.m {
		method, path, _ := strings.Cut(pattern, " ")
		path = patternParam.ReplaceAllString(path, "{$1}")
		op, ok := ops[strings.ToLower(method)+" "+path]
		if !ok {
			problems = append(problems, pattern+": not in openapi.json")
			continue
		}
		for answer := range seen {
			status, code, _ := strings.Cut(answer, " ")
			resp, ok := op.Responses[status]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: answered %s, and lists no %s response", pattern, answer, status))
			case globalCodes[answer] != "":
				if !strings.HasSuffix(resp.Ref, "/"+globalCodes[answer]) && !strings.Contains(resp.Description, "`"+code+"`") {
					problems = append(problems, fmt.Sprintf("%s: answered %s; its %s response does not name it", pattern, answer, status))
				}
			case !strings.Contains(resp.Description, "`"+code+"`"):
				problems = append(problems, fmt.Sprintf("%s: answered %s; its %s response does not name `%s`", pattern, answer, status, code))
			}
		}
	}
	slices.Sort(problems)
	return problems
}
