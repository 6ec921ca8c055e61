package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// Abuse limits on the public endpoints (§14). Each action has a budget per
// visitor and per client address: a burst, then a steady refill. The
// per-address budgets are wide on purpose — a mobile carrier or an office
// puts many real visitors behind one address — while the per-visitor ones
// are what a person typing never reaches. Limits are per node: behind a
// balancer with N nodes a client gets at most N times as much, which is
// still far below what would hurt.
type limit struct {
	visitor *auth.Limiter // nil: not limited per visitor
	address *auth.Limiter
}

// limits holds one node's budgets, by action.
type limits map[string]limit

// Actions with a budget, and the budgets: burst, then one per interval.
const (
	limitSession = "session" // a widget session (a new visitor, or a returning one)
	// limitStart: starting a conversation, and the visitor's other
	// actions on it: ending it, rating it, asking for an agent or the bot.
	limitStart   = "start"
	limitMessage = "message" // a visitor's message
	limitUpload  = "upload"  // a visitor's file
	limitTicket  = "ticket"  // a left message
	// limitChannel: a bridge's inbound messages and file downloads, per
	// address (one bridge carries every user of a messenger account).
	limitChannel = "channel"
	// The FAQ's public reads (help center, widget search) and visitors'
	// "did this answer your question?".
	limitFAQ         = "faq"
	limitFAQFeedback = "faq_feedback"
	// limitWidgetRead: the widget's other reads — its settings and
	// launcher on each page view, a visitor's pages of messages.
	limitWidgetRead = "widget_read"
	// limitFile: the widget's file links (a file or its thumbnail), per
	// address. They carry no visitor token (an <img> cannot send it): the
	// signature is the credential, and a link may be fetched by anyone
	// who has it.
	limitFile = "file"
	// limitAccount: an invitation's or a password reset's link used
	// (looking it up, accepting, setting the password). Their tokens
	// cannot be guessed; this bounds the work a client makes trying.
	limitAccount = "account"
	// limitTyping: the "typing…" signals a socket's client sends, per
	// visitor or agent (typingGate). A composer sends one every
	// few seconds while its user types; past the budget a signal is
	// dropped, never answered: it is ephemeral, and the indicator hides
	// by itself.
	limitTyping = "typing"
)

func newLimits() limits {
	per := func(every time.Duration, burst int) *auth.Limiter { return auth.NewLimiter(every, burst) }
	return limits{
		limitSession:     {address: per(time.Second, 120)},
		limitStart:       {visitor: per(6*time.Second, 10), address: per(time.Second/2, 120)},
		limitMessage:     {visitor: per(time.Second, 30), address: per(time.Second/20, 600)},
		limitUpload:      {visitor: per(6*time.Second, 10), address: per(time.Second, 60)},
		limitTicket:      {visitor: per(10*time.Minute, 3), address: per(30*time.Second, 20)},
		limitFAQ:         {address: per(time.Second/10, 300)},
		limitFAQFeedback: {visitor: per(10*time.Second, 20), address: per(time.Second/2, 200)},
		limitChannel:     {address: per(time.Second/200, 2000)},
		limitWidgetRead:  {visitor: per(time.Second/2, 60), address: per(time.Second/20, 600)},
		limitFile:        {address: per(time.Second/20, 600)},
		limitAccount:     {address: per(2*time.Second, 30)},
		limitTyping:      {visitor: per(time.Second/2, 20)},
	}
}

// typingGate decides which of one socket's typing signals are passed on:
// a "typing" spends the sender's budget (limitTyping, keyed by who sends),
// and a "stopped" is passed on only after a "typing" was in the same
// conversation, so the other side always hears the stop and a flood that
// alternates the two is bounded by the budget too.
type typingGate struct {
	s   *Server
	key string
	mu  sync.Mutex
	on  map[int64]bool // conversations whose last signal passed on was "typing"
}

func (s *Server) typingGate(key string) *typingGate { return &typingGate{s: s, key: key} }

func (g *typingGate) pass(conversationID int64, typing bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !typing {
		was := g.on[conversationID]
		delete(g.on, conversationID)
		return was
	}
	if !g.s.cfg.NoLimits {
		if ok, _ := g.s.limits[limitTyping].visitor.Take(g.s.now(), g.key); !ok {
			return false
		}
	}
	if g.on == nil || len(g.on) >= 64 { // an agent types in a few chats at once
		g.on = map[int64]bool{}
	}
	g.on[conversationID] = true
	return true
}

// Concurrent visitor sockets: per visitor token (a few tabs) and per
// address.
const (
	maxSocketsPerVisitor = 5
	maxSocketsPerAddress = 1000
)

// limit spends one of the action's budget for the request's visitor (if
// known) and address, or refuses with 429 and Retry-After.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, action string) error {
	if s.cfg.NoLimits {
		return nil
	}
	l := s.limits[action]
	now := s.now()
	if l.visitor != nil && hasVisitor(r) {
		if ok, retry := l.visitor.Take(now, strconv.FormatInt(visitorOf(r).session.CustomerID, 10)); !ok {
			return tooMany(w, retry, "you are doing that too often; wait a moment")
		}
	}
	if ok, retry := l.address.Take(now, budgetAddress(r)); !ok {
		return tooMany(w, retry, "too many requests from your network; wait a moment")
	}
	return nil
}

// sockets counts a node's open visitor sockets by visitor and address.
type sockets struct {
	mu      sync.Mutex
	visitor map[int64]int
	address map[string]int
}

// open admits one more socket, or refuses; close must follow an admission.
func (c *sockets) open(visitor int64, address string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.visitor[visitor] >= maxSocketsPerVisitor {
		return chat.Errorf(chat.ErrTooManyRequests, "at most %d chat windows at once; close one", maxSocketsPerVisitor)
	}
	if c.address[address] >= maxSocketsPerAddress {
		return chat.Errorf(chat.ErrTooManyRequests, "too many chat connections from your network")
	}
	c.visitor[visitor]++
	c.address[address]++
	return nil
}

func (c *sockets) close(visitor int64, address string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.visitor[visitor]--; c.visitor[visitor] <= 0 {
		delete(c.visitor, visitor)
	}
	if c.address[address]--; c.address[address] <= 0 {
		delete(c.address, address)
	}
}
