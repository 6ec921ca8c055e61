package httpapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
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
			var op struct {
				Responses map[string]struct {
					Ref         string `json:"$ref"`
					Description string `json:"description"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("paths[%q].%s: %v", path, method, err)
			}
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
