package bot

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the bot's Prometheus collectors. Every method is safe on a nil
// *Metrics, so that tests and tools can run without a registry.
type Metrics struct {
	events      *prometheus.CounterVec
	commands    *prometheus.CounterVec
	commandSecs *prometheus.HistogramVec
	outboxDepth prometheus.Gauge
	sends       *prometheus.CounterVec
	sendErrors  *prometheus.CounterVec
	sendSecs    prometheus.Histogram
	dead        prometheus.Counter
	limitWait   prometheus.Histogram
	limitErrors prometheus.Counter
}

// NewMetrics creates the collectors and registers them on reg (none when reg
// is nil). Registering twice on one registry panics, as a programming error.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xfbot_events_total",
			Help: "Feishu events received, by event type and result.",
		}, []string{"type", "result"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xfbot_commands_total",
			Help: "Commands handled, by verb and result.",
		}, []string{"verb", "result"}),
		commandSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xfbot_command_seconds",
			Help: "Time to handle a command, by verb.",
			// Feishu wants an answer within 3 s; the buckets resolve that range.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5},
		}, []string{"verb"}),
		outboxDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xfbot_outbox_depth",
			Help: "Messages in the outbox not yet delivered (queued or in flight).",
		}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xfbot_sends_total",
			Help: "Feishu send calls, by message kind and result (ok, retry, failed).",
		}, []string{"kind", "result"}),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xfbot_send_errors_total",
			Help: "Failed Feishu send calls, by Feishu code, HTTP status when there is no code, or network.",
		}, []string{"code"}),
		sendSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "xfbot_send_seconds",
			Help:    "Duration of one Feishu send call.",
			Buckets: []float64{.025, .05, .1, .2, .3, .5, 1, 2, 5, 10, 30},
		}),
		dead: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xfbot_outbox_dead_total",
			Help: "Messages given up on and moved to the dead-letter stream.",
		}),
		limitWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "xfbot_send_limit_wait_seconds",
			Help: "Time a send waited for the rate limiter (per app and per chat) before its call.",
			// From no wait, through the 20 ms spacing at 50/s, to a Redis outage's backoff.
			Buckets: []float64{.001, .005, .02, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60},
		}),
		limitErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xfbot_send_limit_errors_total",
			Help: "Calls to the shared rate limiter that Redis did not answer (the send waits and asks again).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.commands, m.commandSecs, m.outboxDepth,
			m.sends, m.sendErrors, m.sendSecs, m.dead, m.limitWait, m.limitErrors)
	}
	return m
}

// Event counts one received event.
func (m *Metrics) Event(typ, result string) {
	if m == nil {
		return
	}
	m.events.WithLabelValues(typ, result).Inc()
}

// Command counts one handled command and how long it took.
func (m *Metrics) Command(verb, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(verb, result).Inc()
	m.commandSecs.WithLabelValues(verb).Observe(d.Seconds())
}

// Send counts one send call and how long it took.
func (m *Metrics) Send(kind, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.sends.WithLabelValues(kind, result).Inc()
	m.sendSecs.Observe(d.Seconds())
}

// SendError counts a failed send by its code: a Feishu code, an HTTP status
// when the answer had no code (the ranges do not overlap), or a negative value
// for a network failure.
func (m *Metrics) SendError(code int) {
	if m == nil {
		return
	}
	label := "network"
	if code >= 0 {
		label = strconv.Itoa(code)
	}
	m.sendErrors.WithLabelValues(label).Inc()
}

// SendLimitWait records how long a send waited for the rate limiter.
func (m *Metrics) SendLimitWait(d time.Duration) {
	if m == nil {
		return
	}
	m.limitWait.Observe(d.Seconds())
}

// SendLimitError counts a shared rate limiter call that Redis did not
// answer.
func (m *Metrics) SendLimitError() {
	if m == nil {
		return
	}
	m.limitErrors.Inc()
}

// Dead counts a message moved to the dead-letter stream.
func (m *Metrics) Dead() {
	if m == nil {
		return
	}
	m.dead.Inc()
}

// SetOutboxDepth records the outbox's current depth.
func (m *Metrics) SetOutboxDepth(n int64) {
	if m == nil {
		return
	}
	m.outboxDepth.Set(float64(n))
}
