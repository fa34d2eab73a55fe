package metrics

import (
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// Realtime measures the event streams (internal/realtime's Observer):
// open streams, events delivered, clients dropped for falling behind, and
// the lag from a change to its event being written to a stream.
type Realtime struct {
	open      *vm.Gauge               // resonant_realtime_streams_open: event streams open on this instance
	delivered *vm.Counter             // resonant_realtime_events_delivered_total: events written to streams (replays included)
	slow      *vm.Counter             // resonant_realtime_slow_clients_dropped_total: streams ended because the client fell behind (it replays on reconnect)
	lag       *vm.PrometheusHistogram // resonant_realtime_delivery_lag_seconds: from a change to its live event written to a stream
}

// Realtime returns the stream metrics.
func (m *Metrics) Realtime() *Realtime { return m.realtime }

func newRealtime(set *vm.Set) *Realtime {
	return &Realtime{
		open:      set.NewGauge("resonant_realtime_streams_open", nil),
		delivered: set.NewCounter("resonant_realtime_events_delivered_total"),
		slow:      set.NewCounter("resonant_realtime_slow_clients_dropped_total"),
		lag: set.NewPrometheusHistogramExt("resonant_realtime_delivery_lag_seconds",
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}),
	}
}

// StreamOpened counts a stream that started.
func (r *Realtime) StreamOpened() { r.open.Inc() }

// StreamClosed counts a stream that ended, for whatever reason.
func (r *Realtime) StreamClosed() { r.open.Dec() }

// EventsDelivered counts n events written to one stream.
func (r *Realtime) EventsDelivered(n int) { r.delivered.Add(n) }

// DeliveryLag records how long one live event took to reach a stream.
func (r *Realtime) DeliveryLag(d time.Duration) { r.lag.Update(d.Seconds()) }

// SlowClientDropped counts a stream ended because its client fell behind.
func (r *Realtime) SlowClientDropped() { r.slow.Inc() }
