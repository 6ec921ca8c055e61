package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// ErrDelivery fails a run in which an acknowledged message went missing or
// arrived twice.
var ErrDelivery = errors.New("delivery check failed")

// workers bounds the requests and dials in flight at once.
const workers = 512

type agent struct {
	email  string
	id     int64
	server *server
	header http.Header // session cookie and CSRF token
	sock   *socket
}

type visitor struct {
	token  string
	conv   int64
	server *server
	agent  *agent
	sock   *socket
}

// run is one bench run in progress.
type run struct {
	o        Options
	s        *setup
	c        *clients
	t        *tracker
	errs     errorCounts
	progress io.Writer
	phase    atomic.Value // string
	started  atomic.Int64 // conversations started, and taken
	open     atomic.Int64 // visitor sockets open
	sent     atomic.Int64 // messages sent, both ways
	agents   []*agent
	visitors []*visitor
	// hook is the webhook's receiver (--webhook), hookID the endpoint.
	hook   *receiver
	hookID int64
}

// Run carries out one bench run and returns its report. A run whose
// delivery check fails returns the report and an error wrapping ErrDelivery.
func Run(ctx context.Context, o Options, progress io.Writer) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	limit := raiseFileLimit()
	if need := uint64(o.Visitors + o.Agents + 200); limit > 0 && need > limit {
		fmt.Fprintf(progress, "warning: %d sockets need about %d open files, and the limit is %d\n", o.Visitors, need, limit)
	}
	var s *setup
	var err error
	if o.URL != "" {
		s, err = attach(ctx, o)
	} else {
		fmt.Fprintf(progress, "starting %d server(s) on %s\n", o.Nodes, map[bool]string{true: "PostgreSQL", false: "SQLite"}[o.DatabaseURL != ""])
		s, err = startServers(ctx, o, progress)
	}
	if err != nil {
		return nil, err
	}
	defer s.close()
	r := &run{o: o, s: s, c: newClients(newDialer(o.SourceAddrs, s.servers[0].url)), t: newTracker(), progress: progress}
	rep := &Report{Scenario: o.Scenario, Started: time.Now(), Store: s.label, Nodes: len(s.servers), Visitors: o.Visitors, Agents: o.Agents,
		CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Command: o.Command,
		TargetConnectRate: o.ConnectRate}
	rep.Memory.Idle = s.settledRSS(ctx)
	stop := r.report(ctx)
	defer stop()
	defer r.closeSockets()

	if err := r.setUp(ctx, rep); err != nil {
		return nil, err
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	cpuStart, serversStart, benchStart := time.Now(), s.serversCPU(), cpuSeconds(os.Getpid())
	var metricsStart *serverMetrics
	if o.MetricsAddr != "" {
		metricsStart = readMetrics(ctx, o.MetricsAddr)
	}
	switch o.Scenario {
	case Steady:
		if o.Webhook != "" {
			if err := r.startWebhook(ctx); err != nil {
				return nil, err
			}
		}
		rep.TargetRate, rep.TargetAgentRate = o.Rate, o.AgentRate
		r.phase.Store("steady")
		var wg sync.WaitGroup
		wg.Go(func() { rep.VisitorMessages = r.sendMessages(ctx, ctx, toAgent, o.Rate, o.Duration) })
		wg.Go(func() { rep.AgentMessages = r.sendMessages(ctx, ctx, toVisitor, o.AgentRate, o.Duration) })
		wg.Wait()
	case Idle:
		r.phase.Store("idle")
		select {
		case <-time.After(o.Duration):
		case <-ctx.Done():
		}
		rep.Memory.WithSockets = s.settledRSS(ctx)
		rep.Memory.PerConnection = max(0, rep.Memory.WithSockets-rep.Memory.BeforeSockets) / int64(o.Visitors)
	case Reconnect:
		rep.TargetAgentRate = o.AgentRate
		rep.Reconnect = r.storm(ctx, rep)
	}
	rep.CPU = CPU{Wall: time.Since(cpuStart).Seconds(), Servers: s.serversCPU() - serversStart, Bench: cpuSeconds(os.Getpid()) - benchStart}
	if metricsStart != nil {
		if end := readMetrics(ctx, o.MetricsAddr); end != nil {
			if start, end := metricsStart.writer, end.writer; start != nil && end != nil {
				rep.Writer = &Writer{Batches: end.Batches - start.Batches, Writes: end.Writes - start.Writes,
					BusySeconds: end.BusySeconds - start.BusySeconds}
			}
			rep.CommitTime, rep.DeliveryTime = end.commit.since(metricsStart.commit), end.delivery.since(metricsStart.delivery)
		}
	}
	if o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	r.phase.Store("draining")
	r.drain(ctx)
	rep.Memory.End = s.totalRSS()
	rep.VisitorToAgent = summarize(r.t.latencies(toAgent))
	rep.AgentToVisitor = summarize(r.t.latencies(toVisitor))
	rep.VisitorToAgentFromSend = summarize(r.t.latenciesFromSend(toAgent))
	rep.AgentToVisitorFromSend = summarize(r.t.latenciesFromSend(toVisitor))
	rep.Delivery = r.t.delivery()
	rep.Errors = r.errs.snapshot()
	if r.hook != nil {
		r.phase.Store("webhook")
		rep.Webhook = r.finishWebhook(ctx)
	}
	rep.Passed = rep.Delivery.Missing == 0 && rep.Delivery.Duplicates == 0 && (rep.Webhook == nil || rep.Webhook.Lost == 0)
	if !rep.Passed {
		rep.Failure = fmt.Sprintf("%d acknowledged messages missing, %d duplicates", rep.Delivery.Missing, rep.Delivery.Duplicates)
		if rep.Webhook != nil && rep.Webhook.Lost > 0 {
			rep.Failure += fmt.Sprintf("; %d of %d webhook deliveries lost", rep.Webhook.Lost, rep.Webhook.Deliveries)
		}
		return rep, fmt.Errorf("%w: %s", ErrDelivery, rep.Failure)
	}
	return rep, ctx.Err()
}

// raiseFileLimit lifts the soft limit on open files to the hard limit
// (every socket is a file) and returns it.
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	l.Cur = l.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	return l.Max
}

// setUp adds and logs in the agents, starts the visitors' conversations,
// has the agents take and answer them (not for idle), and opens the
// visitor sockets, measuring the connect rate and the memory they take.
func (r *run) setUp(ctx context.Context, rep *Report) error {
	r.phase.Store("agents")
	if err := r.addAgents(ctx); err != nil {
		return err
	}
	r.phase.Store("conversations")
	if err := r.startConversations(ctx); err != nil {
		return err
	}
	if r.o.Scenario != Idle {
		r.phase.Store("taking")
		r.started.Store(0)
		if err := r.takeConversations(ctx); err != nil {
			return err
		}
	}
	// The planner's statistics a database in use has: autovacuum analyzes
	// a table within a minute of its growing, and a fresh schema has none,
	// so every cached plan would be made for empty tables (on PostgreSQL a
	// sequential scan of messages on every send, 7 ms by the end of a run).
	// SQLite plans without statistics: nothing happens there.
	r.phase.Store("analyzing")
	if err := r.s.store.Analyze(ctx); err != nil {
		return err
	}
	r.phase.Store("settling")
	rep.Memory.BeforeSockets = r.s.settledRSS(ctx)
	r.phase.Store("connecting")
	start := time.Now()
	failed := atomic.Int64{}
	pace(ctx, r.o.ConnectRate, len(r.visitors), 0, func(i int, _ time.Time) {
		v := r.visitors[i]
		if err := r.connect(ctx, v, -1); err != nil {
			failed.Add(1)
		}
	})
	rep.Connect = rateOf(len(r.visitors)-int(failed.Load()), time.Since(start))
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d of %d visitor sockets did not open: %v", n, len(r.visitors), r.errs.snapshot())
	}
	rep.Memory.WithSockets = r.s.settledRSS(ctx)
	rep.Memory.PerConnection = max(0, rep.Memory.WithSockets-rep.Memory.BeforeSockets) / int64(len(r.visitors))
	return ctx.Err()
}

// addAgents creates the agents through the store (there is no invite API),
// with room for their share of the conversations, and logs them in, which
// puts them online; each opens the console's socket.
func (r *run) addAgents(ctx context.Context) error {
	password := rand.Text()
	hash := auth.HashPassword(password)
	tag := strings.ToLower(rand.Text()[:8])
	capacity := (r.o.Visitors + r.o.Agents - 1) / r.o.Agents
	for i := range r.o.Agents {
		a := &chat.Agent{Email: fmt.Sprintf("bench-%s-%d@bench.invalid", tag, i), Name: fmt.Sprintf("Bench %d", i), PasswordHash: hash}
		if err := r.s.store.CreateAgent(ctx, a); err != nil {
			return fmt.Errorf("add agent: %w", err)
		}
		if err := r.s.store.AddMember(ctx, chat.Member{WorkspaceID: r.s.ws.ID, AgentID: a.ID, Role: chat.RoleAgent, Status: chat.StatusOffline}); err != nil {
			return fmt.Errorf("add agent: %w", err)
		}
		if r.o.Scenario != Idle {
			if _, _, err := r.s.store.SetCapacity(ctx, r.s.ws.ID, a.ID, &capacity, chat.Who{}); err != nil {
				return fmt.Errorf("agent capacity: %w", err)
			}
		}
		r.agents = append(r.agents, &agent{email: a.Email, id: a.ID, server: r.s.servers[i%len(r.s.servers)]})
	}
	// Two at a time: each login's argon2id check takes 19 MiB.
	return each(ctx, len(r.agents), 2, func(i int) error {
		a := r.agents[i]
		if err := r.login(ctx, a, password); err != nil {
			return fmt.Errorf("agent login: %w", err)
		}
		base := fmt.Sprintf("ws%s/api/v1/workspaces/%d/ws", strings.TrimPrefix(a.server.url, "http"), r.s.ws.ID)
		s, err := r.c.dial(ctx, withAfter(base, "?"), -1, a.header, r.t, toAgent, &r.errs)
		if err != nil {
			return fmt.Errorf("agent socket: %w", err)
		}
		a.sock = s
		return nil
	})
}

func (r *run) login(ctx context.Context, a *agent, password string) error {
	req, _ := http.NewRequestWithContext(ctx, "POST", a.server.url+"/api/v1/auth/login",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, a.email, password)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.c.fresh.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := decodeAnswer(resp, &me); err != nil {
		return err
	}
	a.header = http.Header{"X-Csrf-Token": {me.CSRFToken}}
	for _, c := range resp.Cookies() {
		a.header.Add("Cookie", c.Name+"="+c.Value)
	}
	return nil
}

// startConversations starts a widget session and a conversation for every
// visitor, spread over the servers.
func (r *run) startConversations(ctx context.Context) error {
	r.visitors = make([]*visitor, r.o.Visitors)
	return each(ctx, len(r.visitors), 64, func(i int) error {
		v := &visitor{server: r.s.servers[i%len(r.s.servers)], agent: r.agents[i%len(r.agents)]}
		var sess struct {
			VisitorToken string `json:"visitor_token"`
		}
		if err := r.c.call(ctx, "POST", v.server.url+"/api/v1/widget/sessions", nil, map[string]string{"site_id": r.s.ws.SiteID}, &sess); err != nil {
			r.errs.add(kind("visitor session", err))
			return fmt.Errorf("visitor session: %w", err)
		}
		v.token = sess.VisitorToken
		var conv struct{ ID int64 }
		if err := r.c.call(ctx, "POST", v.server.url+"/api/v1/widget/conversations", v.bearer(), map[string]bool{"consent": true}, &conv); err != nil {
			r.errs.add(kind("start conversation", err))
			return fmt.Errorf("start conversation: %w", err)
		}
		v.conv = conv.ID
		r.visitors[i] = v
		r.started.Add(1)
		return nil
	})
}

func (v *visitor) bearer() http.Header { return http.Header{"Authorization": {"Bearer " + v.token}} }

// takeConversations has each agent take its share and answer each at once:
// an agent may hold only five unanswered conversations.
func (r *run) takeConversations(ctx context.Context) error {
	return each(ctx, len(r.agents), len(r.agents), func(i int) error {
		a := r.agents[i]
		for j := i; j < len(r.visitors); j += len(r.agents) {
			v := r.visitors[j]
			path := fmt.Sprintf("%s/api/v1/workspaces/%d/conversations/%d", a.server.url, r.s.ws.ID, v.conv)
			if err := r.c.call(ctx, "POST", path+"/assign", a.header, nil, nil); err != nil {
				r.errs.add(kind("take", err))
				return fmt.Errorf("take: %w", err)
			}
			hello := map[string]string{"client_msg_id": fmt.Sprintf("hello-%d", v.conv), "body": "안녕하세요, 무엇을 도와드릴까요?"}
			if err := r.c.call(ctx, "POST", path+"/messages", a.header, hello, nil); err != nil {
				r.errs.add(kind("answer", err))
				return fmt.Errorf("answer: %w", err)
			}
			r.started.Add(1)
		}
		return nil
	})
}

// connect opens v's socket, replaying after the given sequence (negative:
// start at the end of the log).
func (r *run) connect(ctx context.Context, v *visitor, after int64) error {
	base := fmt.Sprintf("ws%s/api/v1/widget/ws?token=%s&conversation_id=%d", strings.TrimPrefix(v.server.url, "http"), v.token, v.conv)
	s, err := r.c.dial(ctx, withAfter(base, "&"), after, nil, r.t, toVisitor, &r.errs)
	if err != nil {
		r.errs.add(kind("visitor socket", err))
		return err
	}
	v.sock = s
	r.open.Add(1)
	return nil
}

// withAfter returns a socket URL builder: base, plus ?after= (sep is "?"
// or "&") unless after is negative, which starts at the end of the log.
func withAfter(base, sep string) func(after int64) string {
	return func(after int64) string {
		if after < 0 {
			return base
		}
		return fmt.Sprintf("%s%safter=%d", base, sep, after)
	}
}

// sendMessages sends messages in one direction at rate for d or until stop
// ends, each from a visitor in turn (or to a visitor, from its agent), and
// returns how many were acknowledged over how long. Requests in flight
// when stop ends are finished, not abandoned.
func (r *run) sendMessages(ctx, stop context.Context, dir direction, rate float64, d time.Duration) Rate {
	if rate == 0 {
		return Rate{}
	}
	var acked atomic.Int64
	start := time.Now()
	body := "안녕하세요, 주문한 상품의 배송 상태를 알고 싶습니다. Where is my parcel?"
	pace(stop, rate, 0, d, func(i int, due time.Time) {
		v := r.visitors[i%len(r.visitors)]
		id := fmt.Sprintf("a%d", i)
		url := fmt.Sprintf("%s/api/v1/workspaces/%d/conversations/%d/messages", v.agent.server.url, r.s.ws.ID, v.conv)
		h, op := v.agent.header, "agent send"
		if dir == toAgent {
			id, op = fmt.Sprintf("v%d", i), "visitor send"
			url, h = fmt.Sprintf("%s/api/v1/widget/conversations/%d/messages", v.server.url, v.conv), v.bearer()
		}
		r.t.sending(id, dir, due, time.Now())
		r.sent.Add(1)
		// Like the widget and the console, send again with the same
		// client_msg_id when the server sheds load (503): first after
		// its retry hint, then doubling, with jitter of ±50 %. The
		// latency still counts from the moment the message was due.
		var delay time.Duration
		for try := 1; ; try++ {
			err := r.c.call(ctx, "POST", url, h, map[string]string{"client_msg_id": id, "body": body}, nil)
			if err == nil {
				break
			}
			r.errs.add(kind(op, err))
			var api *apiError
			if !errors.As(err, &api) || api.status != http.StatusServiceUnavailable || try == 10 {
				return
			}
			delay = min(max(2*delay, api.retryAfter), 10*time.Second)
			select {
			case <-time.After(delay/2 + mrand.N(delay+1)):
			case <-ctx.Done():
				return
			}
		}
		r.t.acked(id)
		acked.Add(1)
	})
	return rateOf(int(acked.Load()), time.Since(start))
}

// storm drops every visitor's socket and reconnects it with ?after= at the
// connect rate, while the agents keep writing to them.
func (r *run) storm(ctx context.Context, rep *Report) *Rate {
	r.phase.Store("reconnect")
	sendCtx, stopSending := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { rep.AgentMessages = r.sendMessages(ctx, sendCtx, toVisitor, r.o.AgentRate, 24*time.Hour) })
	time.Sleep(time.Second) // messages are flowing before the first drop
	start := time.Now()
	var done atomic.Int64
	pace(ctx, r.o.ConnectRate, len(r.visitors), 0, func(i int, _ time.Time) {
		v := r.visitors[i]
		v.sock.close()
		r.open.Add(-1)
		// Like the widget, retry a failed reconnect.
		for try := 0; try < 5; try++ {
			if r.connect(ctx, v, v.sock.last.Load()) == nil {
				done.Add(1)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	rate := rateOf(int(done.Load()), time.Since(start))
	time.Sleep(time.Second)
	stopSending()
	wg.Wait()
	return &rate
}

// drain waits, for at most 15 seconds, until every acknowledged message
// has arrived.
func (r *run) drain(ctx context.Context) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil && r.t.delivery().Missing > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	// A duplicate would come right behind its first copy; give it a moment.
	time.Sleep(500 * time.Millisecond)
}

func (r *run) closeSockets() {
	for _, a := range r.agents {
		if a.sock != nil {
			a.sock.close()
		}
	}
	for _, v := range r.visitors {
		if v != nil && v.sock != nil {
			v.sock.close()
		}
	}
}

// report prints a progress line every second until stopped.
func (r *run) report(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var lastSent int64
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			phase, _ := r.phase.Load().(string)
			sent := r.sent.Load()
			fmt.Fprintf(r.progress, "[%4.0fs] %-13s chats %6d  sockets %6d  sent %8d (%5d/s)  received %8d  errors %d  server RSS %.0f MiB\n",
				time.Since(start).Seconds(), phase, r.started.Load(), r.open.Load(), sent, sent-lastSent, r.t.receivedCount(), r.errs.total(), float64(r.s.totalRSS())/(1<<20))
			lastSent = sent
		}
	}()
	return func() { cancel(); <-done }
}

// pace calls fn(i, due) for i = 0, 1, … at rate per second, until n calls
// (n > 0) or for the calls that fall due within d (d > 0), with at most
// workers calls running at once; it returns when every call has. due is
// when call i was scheduled: start + i/rate. When the server cannot keep
// up, calls wait for a free worker and go out late, but every call that
// fell due within d is made (after d if need be), and due lets the caller
// count latency from the schedule, so a bench that falls behind cannot
// hide the queueing. A call is never made before it is due.
func pace(ctx context.Context, rate float64, n int, d time.Duration, fn func(i int, due time.Time)) {
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	if d > 0 {
		n = int(math.Ceil(d.Seconds() * rate))
	}
	start := time.Now()
	for i := 0; ; {
		if ctx.Err() != nil || (n > 0 && i >= n) {
			return
		}
		due := int(time.Since(start).Seconds()*rate) + 1
		if n > 0 {
			due = min(due, n)
		}
		for ; i < due; i++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			j := i
			at := start.Add(time.Duration(math.Round(float64(j) * float64(time.Second) / rate)))
			wg.Go(func() {
				defer func() { <-sem }()
				fn(j, at)
			})
		}
		time.Sleep(time.Millisecond)
	}
}

// each runs fn(0) … fn(n-1) on up to parallel goroutines and returns the
// first error.
func each(ctx context.Context, n, parallel int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	var next atomic.Int64
	var failed atomic.Bool
	for range min(parallel, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil || failed.Load() {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
