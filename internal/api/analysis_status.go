package api

import "net/http"

// retryAnalysis re-queues an analysis that is not queued or running: 202 {analysisStatus}.
func (a *API) retryAnalysis(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	st, err := a.journal.RetryAnalysis(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"analysisStatus": toAnalysisStatusJSON(st)})
}

// listAnalysisStatuses serves ?status=&limit=&cursor=, most recently queued first.
func (a *API) listAnalysisStatuses(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	page, err := pageRequest(r)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	p, err := a.journal.ListAnalysisStatuses(r.Context(), userID, r.URL.Query().Get("status"), page)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newListPage(p, toAnalysisStatusJSON))
}
