package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/node"
	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// noenv is an empty environment: the tests' commands see only their flags,
// never the SODAM_* variables of whoever runs the tests.
func noenv(string) string { return "" }

// masterPassword is the first master's password in these tests.
const masterPassword = "tidal-orchard-41-lantern"

// backend is a database the commands run against: its settings flags.
type backend struct {
	name string
	args []string
}

// backends are a temp SQLite directory, and a fresh PostgreSQL schema
// when SODAM_TEST_DATABASE_URL is set.
func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{name: "sqlite", args: []string{"--data", t.TempDir()}}}
	if os.Getenv(postgres.TestURLVar) == "" {
		t.Log(postgres.TestURLVar + " is not set: skipping PostgreSQL")
		return bs
	}
	base, schema := postgres.TestSchema(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// pgx passes search_path on to the server as a run-time parameter.
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return append(bs, backend{name: "postgres", args: []string{"--data", t.TempDir(), "--database-url", u.String()}})
}

// startNode runs a node (node.Main on 127.0.0.1:0) with the settings args.
func startNode(t *testing.T, args ...string) *node.Main {
	t.Helper()
	m := node.New(io.Discard)
	args = append([]string{"--addr", "127.0.0.1:0", "--log-level", "error"}, args...)
	if err := m.ParseFlags(args, func(k string) string {
		if k == "SODAM_ADMIN_PASSWORD" {
			return masterPassword
		}
		return ""
	}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	return m
}

// client calls the API as a browser or widget would: with cookies, or a
// visitor's bearer token.
type client struct {
	t      *testing.T
	base   string
	http   *http.Client
	bearer string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar}}
}

// call sends a request and returns the status and body.
func (c *client) call(method, path, contentType string, body io.Reader) (int, []byte) {
	c.t.Helper()
	status, data, err := c.try(method, path, contentType, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return status, data
}

// try is call for any goroutine: it returns the error instead.
func (c *client) try(method, path, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// json sends v as JSON, checks the status and decodes the answer into out.
func (c *client) json(method, path string, v any, want int, out any) {
	c.t.Helper()
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	status, data := c.call(method, path, "application/json", body)
	if status != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, status, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

// login signs an agent in (which also puts them online).
func (c *client) login(email, password string) {
	c.t.Helper()
	c.json("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, 200, nil)
}

// visitor opens a widget session in the workspace and starts a chat.
func visitor(t *testing.T, base, siteID string) (*client, int64) {
	t.Helper()
	v := newClient(t, base)
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	v.json("POST", "/api/v1/widget/sessions", map[string]string{"site_id": siteID}, 200, &sess)
	v.bearer = sess.VisitorToken
	var conv struct{ ID int64 }
	v.json("POST", "/api/v1/widget/conversations", map[string]bool{"consent": true}, 201, &conv)
	return v, conv.ID
}

// send posts a visitor's text message and reports whether it was
// acknowledged (stored). It may run on any goroutine.
func (c *client) send(conv int64, clientMsgID, body string) bool {
	b, _ := json.Marshal(map[string]string{"client_msg_id": clientMsgID, "body": body})
	status, _, err := c.try("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv), "application/json", bytes.NewReader(b))
	return err == nil && status == 201
}

// upload posts a visitor's file and returns its attachment's ID, or 0 if
// it was not acknowledged. It may run on any goroutine.
func (c *client) upload(conv int64, clientMsgID, name string, data []byte) int64 {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("client_msg_id", clientMsgID)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	status, out, err := c.try("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/files", conv), mw.FormDataContentType(), &body)
	if err != nil || status != 201 {
		return 0
	}
	var sent struct {
		Message struct {
			Attachment struct{ ID int64 } `json:"attachment"`
		} `json:"message"`
	}
	if json.Unmarshal(out, &sent) != nil {
		return 0
	}
	return sent.Message.Attachment.ID
}

// pngOf is a w×h PNG whose pixels depend on seed.
func pngOf(t *testing.T, w, h, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * seed), uint8(y + seed), uint8(seed), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// run runs one of the operator's commands and returns its exit status and
// what it printed.
func run(t *testing.T, f func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := f(context.Background(), args, noenv, &out, &errb)
	return code, out.String(), errb.String()
}

// adminCmd runs `sodam admin` with stdin.
func adminCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runAdmin(context.Background(), args, noenv, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}
