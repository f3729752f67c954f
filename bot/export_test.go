package bot

import "github.com/prometheus/client_golang/prometheus"

// ParseSendAnswer exposes parseSendAnswer to the black-box tests.
var ParseSendAnswer = parseSendAnswer

// LimitErrors exposes the shared limiter's error counter.
func LimitErrors(m *Metrics) prometheus.Counter {
	return m.limitErrors
}

// EncryptOf exposes encryptOf to the black-box tests.
var EncryptOf = encryptOf
