package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// The browser tests run in parallel (go test's -parallel, GOMAXPROCS by
// default), each on a node and a data directory of its own, and share one
// Chromium: starting it costs a second or more on a loaded machine, while
// a browser context per person keeps cookies and storage apart as well as
// a browser of their own would; a context is cleaned and reused by the
// next test's person (see seat).

// chrome is the package's Chromium, started by the first test that asks
// for it and stopped by TestMain after the last.
var chrome struct {
	once sync.Once
	root context.Context // its first tab; tabs for people open from it
	err  error
	stop func()
}

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	flag.Parse()
	defer func() {
		if chrome.stop != nil {
			chrome.stop()
		}
	}()
	return m.Run()
}

// browser returns the shared Chromium's first tab, from which takeSeat
// opens a browser context per person. It skips (or fails) the test as chromium
// does when Chromium is missing.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	chrome.once.Do(func() { chrome.root, chrome.stop, chrome.err = startChromium(path) })
	if chrome.err != nil {
		t.Fatalf("start Chromium: %v", chrome.err)
	}
	return chrome.root
}

// startChromium starts headless Chromium on a profile directory of its
// own, outside any test: it outlives the test that started it.
func startChromium(path string) (context.Context, func(), error) {
	dir, err := os.MkdirTemp("", "sodam-e2e-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "ko-KR"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 800),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	stop := func() {
		cancelRoot()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	if err := chromedp.Do(root); err != nil {
		stop()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return root, stop, nil
}
