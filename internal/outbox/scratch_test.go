package outbox

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestScratchSSRF(t *testing.T) {
	for _, u := range []string{"http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://127.1/", "http://2130706433/",
		"http://0x7f000001/", "http://0177.0.0.1/", "http://127.0.0.1./", "http://[::]/", "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://0.1.2.3/", "http://198.18.0.1/", "http://[fe80::1%25lo]/", "http://LOCALHOST./", "http://localhost./"} {
		t.Logf("%s: %v", u, CheckURL(u, false))
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("reached")) }))
	l, _ := net.Listen("tcp", "0.0.0.0:0")
	srv.Listener = l
	srv.Start()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l6, err := net.Listen("tcp6", "[::]:"+port)
	if err == nil {
		go http.Serve(l6, srv.Config.Handler)
	}
	c := NewClient(false, 2*time.Second)
	for _, h := range []string{"0.0.0.0", "[::ffff:127.0.0.1]", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1.", "[::]", "[::127.0.0.1]", "localhost", "localhost.", "0.1.2.3", "[::ffff:0:127.0.0.1]"} {
		resp, err := c.Get("http://" + h + ":" + port + "/")
		if err == nil {
			resp.Body.Close()
		}
		t.Logf("%s: %v", h, err)
	}
}
