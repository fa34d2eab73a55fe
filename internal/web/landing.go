package web

import "net/http"

// landing is GET /: what Resonant is and, honestly, what is analysed where.
// A signed-in visitor goes straight to their home page.
func (w *Web) landing(rw http.ResponseWriter, r *http.Request) {
	if w.userID(r.Context()) != "" {
		http.Redirect(rw, r, "/home", http.StatusSeeOther)
		return
	}
	p, err := w.newPage(rw, r, "A journal for your relationships")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Data = struct{ Provider string }{w.provider}
	w.render(rw, r, http.StatusOK, "landing", p)
}
