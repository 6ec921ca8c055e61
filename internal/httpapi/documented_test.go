package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestMain runs the package's tests, then checks what the scenario
// servers were seen to do on API routes against openapi.json: every error
// answered — its status and its code — is listed for the operation, and
// every top-level field of a request body the server accepted, and of a
// JSON answer it gave, is in the operation's schema. A handler that
// learns a new refusal or a new field fails the run until the description
// says so. The check is of what the tests that ran saw, so it holds for
// any -run.
func TestMain(m *testing.M) {
	code := m.Run()
	if problems := undocumented(); len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL: the tests saw answers and fields that openapi.json does not describe (documented_test.go):")
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "   ", p)
		}
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// observation is what the scenario servers did on one route pattern.
type observation struct {
	answers map[string]bool            // "status code" of error answers
	sent    map[string]bool            // fields of request bodies accepted (2xx)
	query   map[string]bool            // query parameters of requests accepted (1xx, 2xx)
	got     map[string]map[string]bool // status → fields of JSON answers
}

var seen = struct {
	sync.Mutex
	m map[string]*observation
}{m: map[string]*observation{}}

func observe(pattern string) *observation {
	o := seen.m[pattern]
	if o == nil {
		o = &observation{answers: map[string]bool{}, sent: map[string]bool{}, query: map[string]bool{}, got: map[string]map[string]bool{}}
		seen.m[pattern] = o
	}
	return o
}

// globalCodes are answered by any route and described once, in the
// components every operation refers to.
var globalCodes = map[string]string{"500 internal_error": "InternalError", "503 unavailable": "Unavailable", "503 overloaded": "Unavailable"}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// fieldsOf adds the field paths of a JSON value to into, three objects
// deep: "a" and "a.b" of {"a":{"b":1}}; an array stands for its elements
// ("a.b" of {"a":[{"b":1}]} too, and "b" of [{"b":1}]).
func fieldsOf(data []byte, into map[string]bool) { addFields(data, "", 3, into) }

func addFields(data []byte, prefix string, depth int, into map[string]bool) {
	if depth == 0 {
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) == nil {
		for k, v := range obj {
			into[prefix+k] = true
			addFields(v, prefix+k+".", depth-1, into)
		}
		return
	}
	var list []json.RawMessage
	if json.Unmarshal(data, &list) == nil {
		for _, v := range list {
			addFields(v, prefix, depth, into)
		}
	}
}

// observeCodes wraps a scenario server's handler to record what it does
// on API routes.
func observeCodes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sent []byte
		if r.Body != nil && isJSON(r.Header.Get("Content-Type")) && strings.HasPrefix(r.URL.Path, "/api/") {
			sent, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(sent), r.Body))
		}
		rec := &codeRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if !strings.Contains(r.Pattern, " /api/") {
			return
		}
		seen.Lock()
		defer seen.Unlock()
		o := observe(r.Pattern)
		status := fmt.Sprint(rec.status)
		if rec.status < 400 {
			if rec.status >= 200 && rec.status < 300 {
				fieldsOf(sent, o.sent)
			}
			if rec.status < 300 {
				for k := range r.URL.Query() {
					o.query[k] = true
				}
			}
			if rec.keep && !rec.truncated {
				if o.got[status] == nil {
					o.got[status] = map[string]bool{}
				}
				fieldsOf(rec.body.Bytes(), o.got[status])
			}
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
		o.answers[status+" "+body.Error.Code] = true
	})
}

// codeRecorder keeps an answer's status and, for an error or a JSON
// answer, its body (up to a bound).
type codeRecorder struct {
	http.ResponseWriter
	status          int
	keep, truncated bool
	body            bytes.Buffer
}

func (c *codeRecorder) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
		c.keep = code >= 400 || isJSON(c.Header().Get("Content-Type"))
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeRecorder) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if c.keep {
		if c.body.Len()+len(b) > 4<<20 {
			c.truncated = true
		} else {
			c.body.Write(b)
		}
	}
	return c.ResponseWriter.Write(b)
}

func (c *codeRecorder) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *codeRecorder) Flush() { http.NewResponseController(c.ResponseWriter).Flush() }

func (c *codeRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

var patternParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// schemaDoc is openapi.json, read for the fields of its schemas.
type schemaDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]*schema    `json:"schemas"`
		Responses  map[string]*response  `json:"responses"`
		Parameters map[string]*parameter `json:"parameters"`
	} `json:"components"`
}

type schema struct {
	Ref        string             `json:"$ref"`
	Type       any                `json:"type"`
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
	AllOf      []*schema          `json:"allOf"`
	OneOf      []*schema          `json:"oneOf"`
	AnyOf      []*schema          `json:"anyOf"`
}

type response struct {
	Ref         string `json:"$ref"`
	Description string `json:"description"`
	Content     map[string]struct {
		Schema *schema `json:"schema"`
	} `json:"content"`
}

type operation struct {
	Parameters  []parameter `json:"parameters"`
	RequestBody struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]*response `json:"responses"`
}

type parameter struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

func (d *schemaDoc) resolve(s *schema) *schema {
	for s != nil && s.Ref != "" {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// fields are the properties an object of s may have (an array's items'
// for an array), each with the schemas it may have, and whether s names
// any: a free-form object names none.
func (d *schemaDoc) fields(s *schema) (map[string][]*schema, bool) {
	s = d.resolve(s)
	if s == nil {
		return nil, false
	}
	if s.Items != nil {
		return d.fields(s.Items)
	}
	out := map[string][]*schema{}
	named := s.Properties != nil
	for k, v := range s.Properties {
		out[k] = append(out[k], v)
	}
	for _, sub := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
		f, ok := d.fields(sub)
		named = named || ok
		for k, v := range f {
			out[k] = append(out[k], v...)
		}
	}
	return out, named
}

// describes reports whether s describes the field path ("a.b"): every
// step is a property of the object before it, or that object names none.
func (d *schemaDoc) describes(s *schema, path string) bool {
	first, rest, deeper := strings.Cut(path, ".")
	known, named := d.fields(s)
	if !named {
		return true
	}
	if !deeper {
		return known[first] != nil
	}
	for _, sub := range known[first] {
		if d.describes(sub, rest) {
			return true
		}
	}
	return false
}

// undocumented lists what the servers did that openapi.json does not
// describe.
func undocumented() []string {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		return []string{err.Error()}
	}
	var doc schemaDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return []string{err.Error()}
	}
	ops := map[string]operation{} // "get /api/v1/…"
	for path, item := range doc.Paths {
		var shared []parameter // the path item's, for every operation
		if raw, ok := item["parameters"]; ok {
			json.Unmarshal(raw, &shared)
		}
		for method, raw := range item {
			var op operation
			// A path item's other keys (parameters, summary) are no operation.
			if json.Unmarshal(raw, &op) == nil && op.Responses != nil {
				op.Parameters = append(op.Parameters, shared...)
				ops[method+" "+path] = op
			}
		}
	}
	seen.Lock()
	defer seen.Unlock()
	var problems []string
	for pattern, o := range seen.m {
		method, path, _ := strings.Cut(pattern, " ")
		path = patternParam.ReplaceAllString(path, "{$1}")
		op, ok := ops[strings.ToLower(method)+" "+path]
		if !ok {
			problems = append(problems, pattern+": not in openapi.json")
			continue
		}
		for answer := range o.answers {
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
		for q := range o.query {
			declared := false
			for _, p := range op.Parameters {
				if p.Ref != "" {
					if c := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]; c != nil {
						p = *c
					}
				}
				declared = declared || (p.In == "query" && p.Name == q)
			}
			if !declared {
				problems = append(problems, fmt.Sprintf("%s: accepted the query parameter %q, which it does not declare", pattern, q))
			}
		}
		if len(o.sent) > 0 {
			if body, ok := op.RequestBody.Content["application/json"]; !ok {
				problems = append(problems, fmt.Sprintf("%s: accepted a JSON body, and describes none", pattern))
			} else {
				for f := range o.sent {
					if !doc.describes(body.Schema, f) {
						problems = append(problems, fmt.Sprintf("%s: accepted a body with %q, which its request schema does not list", pattern, f))
					}
				}
			}
		}
		for status, got := range o.got {
			resp := op.Responses[status]
			if resp != nil && resp.Ref != "" {
				resp = doc.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
			}
			if resp == nil {
				problems = append(problems, fmt.Sprintf("%s: answered %s, and lists no %s response", pattern, status, status))
				continue
			}
			body, ok := resp.Content["application/json"]
			if !ok {
				if len(got) > 0 {
					problems = append(problems, fmt.Sprintf("%s: answered %s with JSON, and its %s response describes none", pattern, status, status))
				}
				continue
			}
			for f := range got {
				if !doc.describes(body.Schema, f) {
					problems = append(problems, fmt.Sprintf("%s: answered %s with %q, which its schema does not list", pattern, status, f))
				}
			}
		}
	}
	slices.Sort(problems)
	return problems
}
