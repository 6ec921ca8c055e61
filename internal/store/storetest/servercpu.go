package storetest

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ServerBackends, when set (the PostgreSQL store's tests set it), lists
// the process IDs of the database server's backends that serve this test
// process: the benchmarks then also report the server's CPU per op, which
// on PostgreSQL is as much of a write's cost as the client's.
var ServerBackends func() []int

// serverCPU starts measuring the CPU the server's backends use from now
// on; the function it returns stops and reports it (0, false without
// ServerBackends). Backends are polled every 100 ms and each counts up to
// its last sighting, from its CPU at the start (or from 0 when it started
// later), as /work/pgcpu.sh does from outside.
func serverCPU() func() (time.Duration, bool) {
	if ServerBackends == nil {
		return func() (time.Duration, bool) { return 0, false }
	}
	start := map[int]time.Duration{}
	last := map[int]time.Duration{}
	poll := func(first bool) {
		for _, pid := range ServerBackends() {
			t, ok := procCPU(pid)
			if !ok {
				continue
			}
			if first {
				start[pid] = t
			}
			last[pid] = t
		}
	}
	poll(true)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				poll(false)
			}
		}
	}()
	return func() (time.Duration, bool) {
		close(stop)
		wg.Wait()
		poll(false)
		var sum time.Duration
		for pid, t := range last {
			sum += t - start[pid]
		}
		return sum, true
	}
}

// procCPU is a process's user and system CPU time from /proc.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command may hold spaces
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	// Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s.
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * 10 * time.Millisecond, true
}
