package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
)

// maxWebhookBytes bounds a webhook body; Clerk user objects with metadata
// stay far below it.
const maxWebhookBytes = 512 << 10

// clerkWebhook applies a Svix-signed Clerk event (POST /webhooks/clerk):
// 200 when applied, already applied or ignored; 400 naming the header or
// field for bad signatures, stale timestamps and malformed events; 409 when
// the user's email belongs to another account. It answers 404 unless a
// webhook signing secret is configured.
func (a *API) clerkWebhook(w http.ResponseWriter, r *http.Request) {
	if a.clerk == nil || !a.clerk.WebhooksEnabled() {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body must be at most %d bytes", tooBig.Limit), nil)
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed_body", "the body could not be read", nil)
		return
	}
	outcome, err := a.clerk.HandleWebhook(r.Context(), accounts.WebhookDelivery{
		ID: r.Header.Get(accounts.HeaderSvixID), Timestamp: r.Header.Get(accounts.HeaderSvixTimestamp),
		Signature: r.Header.Get(accounts.HeaderSvixSignature), Body: body,
	})
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": string(outcome)})
}
