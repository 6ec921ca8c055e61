package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// MaxURLLength bounds an endpoint's URL.
const MaxURLLength = 2048

// CheckURL validates a receiver's URL: http or https, a host (an IPv4
// address only in its dotted form), a port from 1 to 65535, at most
// MaxURLLength characters, and — unless private addresses are allowed —
// not a loopback, private or link-local address literal nor localhost
// (a name that resolves to one is refused when the worker connects).
func CheckURL(raw string, allowPrivate bool) error {
	if raw == "" {
		return chat.Errorf(ErrInvalidURL, "a URL is required")
	}
	if len(raw) > MaxURLLength {
		return chat.Errorf(ErrInvalidURL, "the URL must be at most %d characters", MaxURLLength)
	}
	// Shown to masters as written: nothing that turns it around.
	if strings.ContainsFunc(raw, chat.IsControlOrBidi) {
		return chat.Errorf(ErrInvalidURL, "the URL must not hold control or text-direction characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return chat.Errorf(ErrInvalidURL, "the URL must be an absolute http:// or https:// URL")
	}
	if u.User != nil {
		return chat.Errorf(ErrInvalidURL, "the URL must not carry a user name or password")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return chat.Errorf(ErrInvalidURL, "the URL's port must be 1 to 65535")
		}
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".") // "localhost." is localhost
	if _, err := netip.ParseAddr(host); err != nil && endsInNumber(host) {
		return chat.Errorf(ErrInvalidURL, "write an IPv4 address as four numbers from 0 to 255 (such as 203.0.113.7), or use a host name")
	}
	if allowPrivate {
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return chat.Errorf(ErrPrivateAddress, "the URL points at this machine; the operator must allow private addresses (SODAM_WEBHOOK_ALLOW_PRIVATE)")
	}
	if ip, err := netip.ParseAddr(host); err == nil && private(ip) {
		return chat.Errorf(ErrPrivateAddress, "the URL points at a private address; the operator must allow private addresses (SODAM_WEBHOOK_ALLOW_PRIVATE)")
	}
	return nil
}

// endsInNumber reports a host whose last label is a number (decimal, or
// hex with 0x): no name, but an IPv4 address in a short or numeric form
// (127.1, 2130706433, 0x7f.0.0.1) that browsers and some resolvers read
// as a dotted one and Go does not — refused, so the address a master
// wrote is the one reached and judged.
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// private reports addresses a webhook must not reach unless allowed: this
// machine, private networks, link-local (cloud metadata), and the like.
// An IPv6 address that carries an IPv4 one a gateway or tunnel connects to
// (NAT64, 6to4, IPv4-compatible) is judged by that IPv4 address.
func private(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Local.Contains(ip):
			return true // local-use NAT64: the IPv4 address may sit anywhere in it
		case nat64.Contains(ip), ipv4Compatible.Contains(ip) && !ip.IsLoopback() && !ip.IsUnspecified():
			return private(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return private(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		thisNetwork.Contains(ip) || carrierNAT.Contains(ip)
}

// Ranges private adds to netip's.
var (
	thisNetwork    = netip.MustParsePrefix("0.0.0.0/8")     // "this network"; 0.0.0.0 is this machine
	carrierNAT     = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT
	nat64          = netip.MustParsePrefix("64:ff9b::/96")  // RFC 6052: the IPv4 address in the last 32 bits
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour      = netip.MustParsePrefix("2002::/16") // RFC 3056: the IPv4 address in bits 16–47
	ipv4Compatible = netip.MustParsePrefix("::/96")     // deprecated ::a.b.c.d
)

// errPrivate is the dialer's refusal.
var errPrivate = errors.New("the receiver's address is private, and private addresses are not allowed (SODAM_WEBHOOK_ALLOW_PRIVATE)")

// Limits of one outbound request.
const (
	// RequestTimeout bounds a delivery, connection to last byte read.
	RequestTimeout = 10 * time.Second
	// ExcerptBytes is how much of a receiver's answer is read and kept.
	ExcerptBytes = 1024
)

// NewClient returns the HTTP client every outbound request uses: it
// refuses private addresses at connect time (after DNS, so a name that
// resolves to one is refused too) unless allowPrivate, follows a redirect
// only on the same host (at most 3), and gives up after timeout.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || private(ap.Addr()) {
				return errPrivate
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext:           d.DialContext,
		Proxy:                 nil, // a proxy would dial for us, unchecked
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 || req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse // counts as the answer: not a success
			}
			return nil
		},
	}
}

// Excerpt reads at most ExcerptBytes of an answer and returns it as valid
// UTF-8 text, then drains a little more so the connection can be reused.
func Excerpt(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, ExcerptBytes))
	io.Copy(io.Discard, io.LimitReader(r, 64<<10)) //nolint:errcheck // best effort
	// Text a database column takes: valid UTF-8, no NUL.
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), ""), "\x00", "")
}

// describe turns a transport error into what a master reads in the
// deliveries list, without the secret-free but noisy Go wrapping.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, errPrivate):
		return errPrivate.Error()
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return fmt.Sprintf("no answer within %s", RequestTimeout)
	}
	return err.Error()
}
