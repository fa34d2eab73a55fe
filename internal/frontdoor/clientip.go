package frontdoor

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP is the address r came from, believing X-Forwarded-For only from
// the trusted proxies (--trusted-proxies).
func (d *Door) ClientIP(r *http.Request) string {
	return ClientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), d.proxies)
}

// ClientIP is the address a request came from. When the connection comes
// from a trusted proxy, X-Forwarded-For is read from the right, skipping
// trusted proxies, and the first other address wins: entries further left
// were written by the client and cannot be believed. Without trusted
// proxies the header is ignored, so nobody can pick their own rate-limit key.
func ClientIP(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	isTrusted := func(s string) bool {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		ip = ip.Unmap()
		for _, p := range trusted {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	if !isTrusted(host) {
		return host
	}
	var hops []string
	for _, v := range forwardedFor {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if _, err := netip.ParseAddr(hop); err != nil {
			return host // malformed: fall back to the proxy itself
		}
		if !isTrusted(hop) {
			return hop
		}
	}
	return host
}
