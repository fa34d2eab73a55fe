package web

import (
	"encoding/json"
	"net/http"
)

// entryStatus is GET /entries/{id}/status: the analysis status as JSON,
// which the entry page polls while an analysis is queued or running.
// (Live updates over the event stream replace the polling later.)
func (w *Web) entryStatus(rw http.ResponseWriter, r *http.Request) {
	v, err := w.journal.GetEntry(r.Context(), w.userID(r.Context()), r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	status := ""
	if v.AnalysisStatus != nil {
		status = v.AnalysisStatus.Status
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(rw).Encode(map[string]string{"status": status})
}
