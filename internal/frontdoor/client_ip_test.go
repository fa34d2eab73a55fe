package frontdoor_test

import (
	"net/netip"
	"testing"

	"github.com/resonant-journal/resonant/internal/frontdoor"
)

func TestClientIPBelievesForwardedForOnlyFromTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	cases := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"direct client, no proxies trusted for it", "203.0.113.7:5555", []string{"198.51.100.1"}, "203.0.113.7"},
		{"one trusted proxy", "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left-most entry is ignored", "127.0.0.1:40000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "10.0.0.2:80", []string{"198.51.100.1, 10.0.0.9", "10.0.0.3"}, "198.51.100.1"},
		{"proxy without the header", "127.0.0.1:40000", nil, "127.0.0.1"},
		{"malformed hop falls back to the proxy", "127.0.0.1:40000", []string{"198.51.100.1, not-an-ip"}, "127.0.0.1"},
		{"IPv6 client", "[::ffff:127.0.0.1]:1", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := frontdoor.ClientIP(tc.remote, tc.xff, trusted); got != tc.want {
				t.Fatalf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
	if got := frontdoor.ClientIP("127.0.0.1:1", []string{"198.51.100.1"}, nil); got != "127.0.0.1" {
		t.Fatalf("with no trusted proxies the header must be ignored, got %q", got)
	}
}
