package config

import "strings"

// secretPrefixes start common API keys and tokens.
var secretPrefixes = []string{"sk-", "sk_", "Bearer ", "bearer ", "AIza", "ghp_", "gsk_", "xai-", "hf_"}

// looksSecret reports whether s looks like a key or token rather than a
// name: a known prefix, or a long run of mixed-case letters and digits, or
// of characters a name does not have.
func looksSecret(s string) bool {
	for _, p := range secretPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if len(s) < 32 || strings.ContainsAny(s, " \t") {
		return false
	}
	var lower, upper, digit bool
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z':
			lower = true
		case 'A' <= r && r <= 'Z':
			upper = true
		case '0' <= r && r <= '9':
			digit = true
		}
	}
	return (lower && upper && digit) || !isEnvName(s)
}

// redact shows enough of a secret to recognise it: "sk-…".
func redact(s string) string {
	if len(s) < 12 {
		return `"…"`
	}
	return `"` + s[:3] + `…"`
}

// isEnvName reports whether s is a portable environment variable name.
func isEnvName(s string) bool {
	for i, r := range s {
		if !(r == '_' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}

// isToken reports whether s is a valid HTTP header name (RFC 9110 token).
func isToken(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return s != ""
}
