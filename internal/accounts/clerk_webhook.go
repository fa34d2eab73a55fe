package accounts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// Svix's headers, named as in the errors about them.
const (
	HeaderSvixID        = "svix-id"
	HeaderSvixTimestamp = "svix-timestamp"
	HeaderSvixSignature = "svix-signature"
)

// WebhookDelivery is one webhook request: Svix's three headers and the raw
// body they sign.
type WebhookDelivery struct {
	ID, Timestamp, Signature string
	Body                     []byte
}

// WebhookOutcome says what became of a verified delivery.
type WebhookOutcome string

// Outcomes of HandleWebhook; each is answered 2xx so Svix stops retrying.
const (
	WebhookApplied        WebhookOutcome = "applied"
	WebhookAlreadyApplied WebhookOutcome = "already_applied"
	WebhookIgnored        WebhookOutcome = "ignored"
)

// maxSvixIDLen bounds the message id kept per delivery ("msg_" and 27
// characters today).
const maxSvixIDLen = 128

// decodeWebhookSecret decodes "whsec_<base64>" (the prefix is optional, as
// in Svix's libraries).
func decodeWebhookSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(secret), "whsec_"))
	if err != nil {
		return nil, errors.New(`must be "whsec_" followed by base64, as the Clerk dashboard shows it`)
	}
	if len(key) == 0 {
		return nil, errors.New("is empty")
	}
	return key, nil
}

// VerifyWebhook checks a delivery as Svix specifies: an HMAC-SHA256 with
// the signing key over "id.timestamp.body", compared in constant time with
// each "v1," signature of the header, and a timestamp within the tolerance
// of now (which bounds replays; HandleWebhook also refuses to apply an id
// twice). Problems are validate.Errors naming the header.
func (c *Clerk) VerifyWebhook(d WebhookDelivery) error {
	errs := validate.Errors{}
	if d.ID == "" {
		errs.Add(HeaderSvixID, "is required")
	} else if len(d.ID) > maxSvixIDLen {
		errs.Add(HeaderSvixID, fmt.Sprintf("must be at most %d characters", maxSvixIDLen))
	}
	if d.Timestamp == "" {
		errs.Add(HeaderSvixTimestamp, "is required")
	} else if ts, err := strconv.ParseInt(d.Timestamp, 10, 64); err != nil {
		errs.Add(HeaderSvixTimestamp, "must be Unix seconds")
	} else if skew := c.now().Sub(time.Unix(ts, 0)); skew > c.tolerance || skew < -c.tolerance {
		errs.Add(HeaderSvixTimestamp, fmt.Sprintf("is more than %s away from the server's clock", c.tolerance))
	}
	if d.Signature == "" {
		errs.Add(HeaderSvixSignature, "is required")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	mac := hmac.New(sha256.New, c.secret)
	mac.Write([]byte(d.ID + "." + d.Timestamp + "."))
	mac.Write(d.Body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(d.Signature) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue // other schemes (v1a) are not ours to check
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return validate.Field(HeaderSvixSignature, "does not match the body: check the webhook signing secret")
}

// clerkEvent is a Clerk webhook payload; data is read per type.
type clerkEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// clerkUserJSON is a Clerk user object as webhooks send it (snake_case);
// the camelCase names of the spec (Clerk's JavaScript SDK) are accepted too.
type clerkUserJSON struct {
	ID                    string           `json:"id"`
	FirstName             *string          `json:"first_name"`
	LastName              *string          `json:"last_name"`
	Username              *string          `json:"username"`
	PrimaryEmailAddressID *string          `json:"primary_email_address_id"`
	EmailAddresses        []clerkEmailJSON `json:"email_addresses"`
	FirstNameJS           *string          `json:"firstName"`
	LastNameJS            *string          `json:"lastName"`
	EmailAddressesJS      []clerkEmailJSON `json:"emailAddresses"`
	PrimaryEmailIDJS      *string          `json:"primaryEmailAddressId"`
}

type clerkEmailJSON struct {
	ID             string `json:"id"`
	EmailAddress   string `json:"email_address"`
	EmailAddressJS string `json:"emailAddress"`
}

func (e clerkEmailJSON) address() string {
	if e.EmailAddress != "" {
		return e.EmailAddress
	}
	return e.EmailAddressJS
}

func str(ps ...*string) string {
	for _, p := range ps {
		if p != nil && *p != "" {
			return *p
		}
	}
	return ""
}

// toClerkUser translates as the spec does: firstName + lastName → name,
// the primary email address (else the first) → email.
func (u clerkUserJSON) toClerkUser() ClerkUser {
	cu := ClerkUser{ID: u.ID, FirstName: str(u.FirstName, u.FirstNameJS), LastName: str(u.LastName, u.LastNameJS), Username: str(u.Username)}
	emails := u.EmailAddresses
	if len(emails) == 0 {
		emails = u.EmailAddressesJS
	}
	if primary := str(u.PrimaryEmailAddressID, u.PrimaryEmailIDJS); primary != "" {
		for _, e := range emails {
			if e.ID == primary {
				cu.Email = e.address()
				return cu
			}
		}
	}
	if len(emails) > 0 {
		cu.Email = emails[0].address()
	}
	return cu
}

// HandleWebhook verifies a delivery and applies its event once:
// user.created and user.updated make the local user match the Clerk user
// (creating it if missing: events may arrive out of order or after the
// first-request fallback), user.deleted deletes it and everything it owns.
// Other event types are acknowledged and ignored. The delivery id is
// recorded in the transaction that applies the event, so a replay or a
// retry after success changes nothing, and a failure leaves nothing behind.
func (c *Clerk) HandleWebhook(ctx context.Context, d WebhookDelivery) (WebhookOutcome, error) {
	if !c.WebhooksEnabled() {
		return "", fmt.Errorf("clerk webhooks: %w", store.ErrNotFound)
	}
	if err := c.VerifyWebhook(d); err != nil {
		return "", err
	}
	var ev clerkEvent
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	if err := dec.Decode(&ev); err != nil {
		return "", validate.Field("body", "must be a Clerk event: a JSON object with type and data")
	}
	if ev.Type == "" {
		return "", validate.Field("type", "is required")
	}
	var user clerkUserJSON
	switch ev.Type {
	case "user.created", "user.updated", "user.deleted":
		if len(ev.Data) == 0 || json.Unmarshal(ev.Data, &user) != nil {
			return "", validate.Field("data", "must be a Clerk user object")
		}
		if !validClerkID(user.ID) {
			return "", validate.Field("data.id", "must be a Clerk user id")
		}
	}
	outcome := WebhookApplied
	var deleted string // the local user a user.deleted removed
	err := c.inTxRetry(ctx, func(ctx context.Context, tx *store.Tx) error {
		first, err := tx.RecordWebhookDelivery(ctx, d.ID, c.now().UTC())
		switch {
		case err != nil:
			return err
		case !first:
			outcome = WebhookAlreadyApplied
			return nil
		}
		switch ev.Type {
		case "user.created", "user.updated":
			_, err = c.syncUserTx(ctx, tx, user.toClerkUser())
		case "user.deleted":
			deleted, err = c.deleteUserTx(ctx, tx, user.ID)
		default:
			outcome = WebhookIgnored
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("clerk %s: %w", ev.Type, err)
	}
	c.acc.Revoked(ctx, deleted)
	return outcome, nil
}
