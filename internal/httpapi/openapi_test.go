package httpapi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// openAPIDoc is the part of the OpenAPI document the route checks read.
type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

type openAPIParam struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

// openAPIMethods are the keys of a path item that name operations; the
// others (summary, parameters, …) are skipped.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// apiRoute splits a ServeMux pattern such as "GET /api/v1/workspaces/{wid}"
// into the OpenAPI method and path ("get", "/api/v1/workspaces/{wid}").
func apiRoute(t *testing.T, pattern string) (method, path string) {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		t.Fatalf("pattern %q: want \"METHOD /path\"", pattern)
	}
	if strings.Contains(path, "{$}") {
		t.Fatalf("pattern %q: {$} has no OpenAPI form", pattern)
	}
	return strings.ToLower(method), wildcard.ReplaceAllString(path, "{$1}")
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	if !json.Valid(openAPISpec) {
		t.Fatal("openapi.json is not valid JSON")
	}
	var doc openAPIDoc
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

func TestOpenAPIVersion(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("openapi.json has no paths")
	}
}

// TestOpenAPIRoutesDocumented fails when a route marked api: true is missing
// from openapi.json, or is there without its path parameters.
func TestOpenAPIRoutesDocumented(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	for _, rt := range (&Server{}).routes() {
		if !rt.api {
			continue
		}
		n++
		t.Run(rt.pattern, func(t *testing.T) {
			method, path := apiRoute(t, rt.pattern)
			item, ok := doc.Paths[path]
			if !ok {
				t.Fatalf("paths has no %q", path)
			}
			raw, ok := item[method]
			if !ok {
				t.Fatalf("paths[%q] has no %s operation", path, method)
			}
			// Path parameters may be declared on the path item or the operation.
			var params []openAPIParam
			if r, ok := item["parameters"]; ok {
				if err := json.Unmarshal(r, &params); err != nil {
					t.Fatalf("paths[%q].parameters: %v", path, err)
				}
			}
			var operation struct {
				Parameters []openAPIParam `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &operation); err != nil {
				t.Fatalf("paths[%q].%s: %v", path, method, err)
			}
			params = append(params, operation.Parameters...)
			for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
				if !slices.Contains(params, openAPIParam{Name: m[1], In: "path"}) {
					t.Errorf("%s %s: path parameter %q is not declared", method, path, m[1])
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("routes() has no api: true route")
	}
}

// TestOpenAPINoStaleOperations fails when openapi.json describes an
// operation that no api: true route serves.
func TestOpenAPINoStaleOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	served := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		if rt.api {
			method, path := apiRoute(t, rt.pattern)
			served[method+" "+path] = true
		}
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, path := range paths {
		for _, method := range openAPIMethods {
			if _, ok := doc.Paths[path][method]; !ok {
				continue
			}
			t.Run(strings.ToUpper(method)+" "+path, func(t *testing.T) {
				if !served[method+" "+path] {
					t.Errorf("openapi.json documents %s %s, but no api: true route in routes() serves it", strings.ToUpper(method), path)
				}
			})
		}
	}
}

// notInOpenAPI are the routes under /api/ that openapi.json leaves out on
// purpose: the description itself.
var notInOpenAPI = map[string]bool{"GET /api/v1/openapi.json": true}

// TestOpenAPIEveryAPIRouteMarked fails when a route under /api/ is added
// without api: true, which would keep it out of the two checks above.
func TestOpenAPIEveryAPIRouteMarked(t *testing.T) {
	for _, rt := range (&Server{}).routes() {
		_, path, _ := strings.Cut(rt.pattern, " ")
		if strings.HasPrefix(path, "/api/") && !rt.api && !notInOpenAPI[rt.pattern] {
			t.Errorf("%s serves the API but is not marked api: true (and described in openapi.json)", rt.pattern)
		}
		if rt.api && notInOpenAPI[rt.pattern] {
			t.Errorf("%s is marked api: true and listed in notInOpenAPI", rt.pattern)
		}
	}
}

// openAPIOperation is what the tests read of an operation: its JSON body,
// if it takes one, and its responses.
type openAPIOperation struct {
	RequestBody struct {
		Content map[string]json.RawMessage `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
	} `json:"responses"`
}

func decodeOperation(t *testing.T, path, method string, raw json.RawMessage) openAPIOperation {
	t.Helper()
	var op openAPIOperation
	if err := json.Unmarshal(raw, &op); err != nil {
		t.Fatalf("paths[%q].%s: %v", path, method, err)
	}
	return op
}

// codeInDescription finds the error codes an error response's description
// names: `like_this`.
var codeInDescription = regexp.MustCompile("`([a-z][a-z0-9_]*)`")

// TestOpenAPIErrorCodes fails when an error response of openapi.json
// names a code the server does not have, or one it answers with another
// status (statusOf, the one table), and when a 4xx response names no code
// at all — a client keys on the code, not on the text.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths {
		for _, method := range openAPIMethods {
			raw, ok := item[method]
			if !ok {
				continue
			}
			op := decodeOperation(t, path, method, raw)
			for status, resp := range op.Responses {
				if resp.Ref != "" || status < "400" {
					continue
				}
				codes := codeInDescription.FindAllStringSubmatch(resp.Description, -1)
				if len(codes) == 0 && status < "500" && !openAPIPlainRefusal(resp.Description) {
					t.Errorf("%s %s %s: the description names no error code: %q", strings.ToUpper(method), path, status, resp.Description)
				}
				for _, m := range codes {
					want, known := statusOf[m[1]]
					switch {
					case !known:
						t.Errorf("%s %s %s: `%s` is no error code of the server", strings.ToUpper(method), path, status, m[1])
					case fmt.Sprint(want) != status:
						t.Errorf("%s %s %s: `%s` is answered with %d, not %s", strings.ToUpper(method), path, status, m[1], want, status)
					}
				}
			}
		}
	}
}

// openAPIPlainRefusal reports whether a description is of a refusal that
// is not Sodam's JSON error: the WebSocket library's plain-text answers.
func openAPIPlainRefusal(description string) bool {
	return strings.Contains(description, "plain text") || strings.Contains(description, "plain-text")
}

// routeRefusals are the refusals a route answers before its handler runs,
// by status, read from its row in the route table (wrap): who may call it,
// the least role, the abuse budget and a body refused.
func routeRefusals(rt route) map[string][]string {
	method, _, _ := strings.Cut(rt.pattern, " ")
	write := isWrite(method)
	out := map[string][]string{}
	add := func(status string, codes ...string) { out[status] = append(out[status], codes...) }
	switch rt.access {
	case agent, owner:
		add("401", chat.ErrUnauthorized)
		if write {
			add("403", chat.ErrCSRF)
		}
		if rt.access == owner {
			add("403", chat.ErrOwnerRequired)
		}
	case member:
		add("400", chat.ErrInvalid) // {wid} not a positive integer
		add("401", chat.ErrUnauthorized)
		add("403", chat.ErrMemberInactive)
		if write {
			add("403", chat.ErrCSRF)
		}
		// An API token acts as a manager; a read-only one only reads.
		if write || rt.minRole == chat.RoleMaster {
			add("403", chat.ErrScopeRequired)
		}
		if rank[rt.minRole] > rank[chat.RoleAgent] {
			add("403", chat.ErrRoleRequired)
		}
		add("404", chat.ErrWorkspaceNotFound)
		add("409", chat.ErrWorkspaceArchived) // an API token's archived workspace
	case visitor:
		add("401", chat.ErrUnauthorized)
		add("403", chat.ErrOriginNotAllowed)
	}
	if rt.limit != "" {
		add("429", chat.ErrTooManyRequests)
	}
	if rt.noBody {
		add("400", codeInvalidJSON)
	}
	return out
}

// TestOpenAPIRouteRefusals fails when an operation of openapi.json does
// not list a refusal its route's row in the table makes possible
// (routeRefusals) or, taking a JSON body, one of decode's; or lacks the
// 500 and 503 every route may answer.
func TestOpenAPIRouteRefusals(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, rt := range (&Server{}).routes() {
		if !rt.api {
			continue
		}
		method, path := apiRoute(t, rt.pattern)
		raw, ok := doc.Paths[path][method]
		if !ok {
			continue // TestOpenAPIRoutesDocumented
		}
		op := decodeOperation(t, path, method, raw)
		refusals := routeRefusals(rt)
		if _, ok := op.RequestBody.Content["application/json"]; ok {
			// decode's refusals of a JSON body.
			refusals["400"] = append(refusals["400"], codeInvalidJSON, chat.ErrInvalid)
			refusals["413"] = append(refusals["413"], codeBodyTooLarge)
			refusals["415"] = append(refusals["415"], codeMediaType)
		}
		for status, codes := range refusals {
			for _, code := range codes {
				if !strings.Contains(op.Responses[status].Description, "`"+code+"`") {
					t.Errorf("%s: its %s response does not list `%s`", rt.pattern, status, code)
				}
			}
		}
		for _, status := range []string{"500", "503"} {
			if _, ok := op.Responses[status]; !ok {
				t.Errorf("%s: no %s response", rt.pattern, status)
			}
		}
	}
}

// TestOpenAPIWebhookEvents fails when the event types a webhook may
// subscribe to (outbox.EventTypes) and openapi.json's list differ.
func TestOpenAPIWebhookEvents(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				WebhookRequest struct {
					Properties struct {
						Events struct {
							Items struct {
								Enum []string `json:"enum"`
							} `json:"items"`
						} `json:"events"`
					} `json:"properties"`
				} `json:"WebhookRequest"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(doc.Components.Schemas.WebhookRequest.Properties.Events.Items.Enum))
	want := slices.Sorted(slices.Values(outbox.EventTypes))
	if !slices.Equal(got, want) {
		t.Errorf("WebhookRequest.events lists %v; outbox.EventTypes are %v", got, want)
	}
}

// TestOpenAPIEventTypes fails when the event types package chat declares
// and the types openapi.json's Event lists differ.
func TestOpenAPIEventTypes(t *testing.T) {
	files, err := filepath.Glob("../chat/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("package chat's files: %v", err)
	}
	declared := regexp.MustCompile(`EventType *= *"([a-z._]+)"|EventType\("([a-z._]+)"\)`)
	var want []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range declared.FindAllStringSubmatch(string(b), -1) {
			want = append(want, m[1]+m[2])
		}
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Event struct {
					Properties struct {
						Type struct {
							Enum []string `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Event"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(doc.Components.Schemas.Event.Properties.Type.Enum))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Event.type lists %v; package chat declares %v", got, want)
	}
}
