package main

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// startDelay serves a reverse proxy to upstream that holds each request
// for latency first: a region's round trip, which is what makes accounts
// in parallel pay off.
func startDelay(upstream string, latency time.Duration) (string, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return "", err
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(latency)
			p.ServeHTTP(w, r)
		}))
	}()
	return "http://" + l.Addr().String(), nil
}

// sampleHeap samples live heap bytes every 10 ms until stopped, and
// returns the peak: the Go heap, without the runtime's retained pages.
func sampleHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(stopped)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}
