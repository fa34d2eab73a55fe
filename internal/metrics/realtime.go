package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Realtime measures the event streams (internal/realtime's Observer):
// open streams, events delivered, clients dropped for falling behind, and
// the lag from a change to its event being written to a stream.
type Realtime struct {
	open      prometheus.Gauge
	delivered prometheus.Counter
	slow      prometheus.Counter
	lag       prometheus.Histogram
}

// Realtime returns the stream metrics.
func (m *Metrics) Realtime() *Realtime { return m.realtime }

func newRealtime(reg *prometheus.Registry) *Realtime {
	r := &Realtime{
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "resonant_realtime_streams_open", Help: "Event streams open on this instance.",
		}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "resonant_realtime_events_delivered_total", Help: "Events written to event streams (replays included).",
		}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "resonant_realtime_slow_clients_dropped_total", Help: "Event streams ended because the client fell behind (it replays on reconnect).",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "resonant_realtime_delivery_lag_seconds", Help: "Time from a change to its live event being written to a stream.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
	reg.MustRegister(r.open, r.delivered, r.slow, r.lag)
	return r
}

// StreamOpened counts an opened stream.
func (r *Realtime) StreamOpened() { r.open.Inc() }

// StreamClosed counts a closed stream.
func (r *Realtime) StreamClosed() { r.open.Dec() }

// EventsDelivered counts n events written to a stream.
func (r *Realtime) EventsDelivered(n int) { r.delivered.Add(float64(n)) }

// DeliveryLag records one live event's lag.
func (r *Realtime) DeliveryLag(d time.Duration) { r.lag.Observe(d.Seconds()) }

// SlowClientDropped counts a stream ended for falling behind.
func (r *Realtime) SlowClientDropped() { r.slow.Inc() }
