package config

import "net/url"

// redactURL drops the password from a URL; an unparseable URL is hidden whole.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
