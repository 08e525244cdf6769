package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

var (
	_ outbox.Queue        = (*Store)(nil)
	_ tribune.AddressBook = (*Store)(nil)
)

const mailCols = `id, mail_key, kind, recipient, sender, subject, text_body, html_body, lang, unsubscribe, state, queued, due, attempts, sent, last_error`

func scanMail(row pgx.Row) (outbox.Mail, error) {
	var m outbox.Mail
	var to, state string
	var sent pgtype.Timestamptz
	err := row.Scan(&m.ID, &m.Key, &m.Kind, &to, &m.From, &m.Subject, &m.Text, &m.HTML, &m.Lang, &m.Unsubscribe,
		&state, &m.Queued, &m.Due, &m.Attempts, &sent, &m.LastError)
	m.To, m.State = tribune.StoredEmail(to), outbox.State(state)
	m.Queued, m.Due = m.Queued.UTC(), m.Due.UTC()
	if sent.Valid {
		m.Sent = sent.Time.UTC()
	}
	return m, err
}

func (s *Store) queryMails(ctx context.Context, op, q string, args ...any) ([]outbox.Mail, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, classify(op, err)
	}
	defer rows.Close()
	out := []outbox.Mail{}
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, classify(op, err)
		}
		out = append(out, m)
	}
	return out, classify(op, rows.Err())
}

// QueueMail implements outbox.Queue.
func (s *Store) QueueMail(ctx context.Context, m *outbox.Mail) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO mail_outbox (`+mailCols+`, recipient_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (mail_key) DO NOTHING`,
		m.ID, m.Key, m.Kind, m.To.Address(), m.From, m.Subject, m.Text, m.HTML, m.Lang, m.Unsubscribe,
		string(m.State), m.Queued, m.Due, m.Attempts, nullTime(m.Sent), m.LastError, m.To.Key())
	if err != nil {
		return false, classify("queue mail", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimMails implements outbox.Queue: the due rows are locked with
// FOR UPDATE SKIP LOCKED and leased in the same statement, so workers on
// several instances take different mails and never wait for each other.
func (s *Store) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Mail, error) {
	return s.queryMails(ctx, "claim mails", `UPDATE mail_outbox o SET due = $1, attempts = o.attempts + 1
		FROM (SELECT id FROM mail_outbox WHERE state = 'queued' AND due <= $2 ORDER BY due, id LIMIT $3 FOR UPDATE SKIP LOCKED) d
		WHERE o.id = d.id RETURNING o.id, o.mail_key, o.kind, o.recipient, o.sender, o.subject, o.text_body, o.html_body,
		o.lang, o.unsubscribe, o.state, o.queued, o.due, o.attempts, o.sent, o.last_error`,
		now.Add(lease).UTC(), now.UTC(), max(limit, 1))
}

// FinishMail implements outbox.Queue.
func (s *Store) FinishMail(ctx context.Context, id uuid.UUID, o outbox.Outcome) error {
	var q string
	var args []any
	// The fence: an outcome about an earlier claim of the mail changes
	// nothing.
	const fence = ` AND ($4::int = 0 OR (state = 'queued' AND attempts = $4))`
	switch o.State {
	case outbox.Sent:
		q, args = `UPDATE mail_outbox SET state = 'sent', sent = $2, last_error = $3, text_body = '', html_body = '' WHERE id = $1`+fence,
			[]any{id, o.Now.UTC(), o.Error, o.Attempt}
	case outbox.Queued:
		q, args = `UPDATE mail_outbox SET due = $2, last_error = $3 WHERE id = $1`+fence, []any{id, o.Retry.UTC(), o.Error, o.Attempt}
	case outbox.Failed:
		q, args = `UPDATE mail_outbox SET state = 'failed', last_error = $3 WHERE id = $1 AND $2::int = 0`+fence, []any{id, 0, o.Error, o.Attempt}
	default:
		return fmt.Errorf("pgstore: finish mail: state %q: %w", o.State, tribune.ErrInvalid)
	}
	tag, err := s.pool.Exec(ctx, q, args...)
	if err != nil {
		return classify("finish mail", err)
	}
	if tag.RowsAffected() == 0 {
		var one int
		if err := s.pool.QueryRow(ctx, `SELECT 1 FROM mail_outbox WHERE id = $1`, id).Scan(&one); err != nil {
			return classify("finish mail", err)
		}
		return fmt.Errorf("pgstore: finish mail: claimed again since: %w", tribune.ErrConflict)
	}
	return nil
}

// RenewMail implements outbox.Queue.
func (s *Store) RenewMail(ctx context.Context, id uuid.UUID, attempt int, due time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE mail_outbox SET due = $2 WHERE id = $1 AND state = 'queued' AND attempts = $3`, id, due.UTC(), attempt)
	if err != nil {
		return false, classify("renew mail", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Mails implements outbox.Queue.
func (s *Store) Mails(ctx context.Context, state outbox.State, page tribune.Span) ([]outbox.Mail, error) {
	p := page.Norm()
	return s.queryMails(ctx, "mails", `SELECT `+mailCols+` FROM mail_outbox WHERE state = $1 ORDER BY queued DESC, id DESC LIMIT $2 OFFSET $3`,
		string(state), p.Limit, p.Offset)
}

// PurgeMails implements outbox.Queue.
func (s *Store) PurgeMails(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM mail_outbox WHERE state <> 'queued' AND queued < $1`, before.UTC())
	if err != nil {
		return 0, classify("purge mails", err)
	}
	return int(tag.RowsAffected()), nil
}

const addressCols = `id, email_key, verified, confirm_sent, opted_out`

func scanAddress(row pgx.Row) (tribune.Address, error) {
	var a tribune.Address
	var verified, sent, optedOut pgtype.Timestamptz
	err := row.Scan(&a.ID, &a.Key, &verified, &sent, &optedOut)
	a.Verified, a.ConfirmSent, a.OptedOut = timeOf(verified), timeOf(sent), timeOf(optedOut)
	return a, err
}

// Address implements tribune.AddressBook.
func (s *Store) Address(ctx context.Context, key string) (tribune.Address, error) {
	a, err := scanAddress(s.pool.QueryRow(ctx, `SELECT `+addressCols+` FROM mail_addresses WHERE email_key = $1`, key))
	return a, classify("address", err)
}

// AddressByID implements tribune.AddressBook.
func (s *Store) AddressByID(ctx context.Context, id uuid.UUID) (tribune.Address, error) {
	a, err := scanAddress(s.pool.QueryRow(ctx, `SELECT `+addressCols+` FROM mail_addresses WHERE id = $1`, id))
	return a, classify("address", err)
}

// UpdateAddress implements tribune.AddressBook: the row is created if
// missing, then locked, read, changed and written in one transaction.
func (s *Store) UpdateAddress(ctx context.Context, key string, apply func(*tribune.Address) error) (tribune.Address, error) {
	var a tribune.Address
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO mail_addresses (id, email_key) VALUES ($1, $2) ON CONFLICT (email_key) DO NOTHING`, uuid.New(), key); err != nil {
			return classify("update address", err)
		}
		old, err := scanAddress(tx.QueryRow(ctx, `SELECT `+addressCols+` FROM mail_addresses WHERE email_key = $1 FOR UPDATE`, key))
		if err != nil {
			return classify("update address", err)
		}
		a = old
		if err := apply(&a); err != nil {
			return err
		}
		a.ID, a.Key = old.ID, key
		a.Verified, a.ConfirmSent = a.Verified.UTC().Truncate(time.Microsecond), a.ConfirmSent.UTC().Truncate(time.Microsecond)
		a.OptedOut = a.OptedOut.UTC().Truncate(time.Microsecond)
		_, err = tx.Exec(ctx, `UPDATE mail_addresses SET verified = $2, confirm_sent = $3, opted_out = $4 WHERE id = $1`,
			a.ID, nullTime(a.Verified), nullTime(a.ConfirmSent), nullTime(a.OptedOut))
		return classify("update address", err)
	})
	if err != nil {
		return tribune.Address{}, err
	}
	return a, nil
}

// Subscription implements tribune.AddressBook.
func (s *Store) Subscription(ctx context.Context, commentID uuid.UUID) (tribune.Subscription, error) {
	sub := tribune.Subscription{CommentID: commentID}
	var confirmed pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `SELECT email_key, created, active, confirmed FROM mail_subscriptions WHERE comment_id = $1`, commentID).
		Scan(&sub.EmailKey, &sub.Created, &sub.Active, &confirmed)
	sub.Created, sub.Confirmed = sub.Created.UTC(), timeOf(confirmed)
	return sub, classify("subscription", err)
}

// SaveSubscription implements tribune.AddressBook.
func (s *Store) SaveSubscription(ctx context.Context, sub tribune.Subscription) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO mail_subscriptions (comment_id, email_key, created, active, confirmed) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (comment_id) DO UPDATE SET email_key = excluded.email_key, created = excluded.created, active = excluded.active,
		confirmed = excluded.confirmed`,
		sub.CommentID, sub.EmailKey, sub.Created.UTC(), sub.Active, nullTime(sub.Confirmed.UTC().Truncate(time.Microsecond)))
	return classify("save subscription", err)
}

// ForgetAddress implements tribune.AddressBook, in one transaction.
func (s *Store) ForgetAddress(ctx context.Context, key string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []string{`DELETE FROM mail_addresses WHERE email_key = $1`, `DELETE FROM mail_subscriptions WHERE email_key = $1`,
			`DELETE FROM mail_outbox WHERE recipient_key = $1`} {
			if _, err := tx.Exec(ctx, q, key); err != nil {
				return classify("forget address", err)
			}
		}
		return nil
	})
}

// timeOf is a nullable time as the contract has it: zero for NULL.
func timeOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

var _ tribune.Limiter = (*Store)(nil)

// Spend implements tribune.Limiter: one statement, the row locked by its
// upsert, so instances spending one key at once are counted in turn.
func (s *Store) Spend(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	if limit < 1 {
		return false, nil
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO limits AS l (key, n, reset) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			n = CASE WHEN l.reset <= $3 THEN 1 ELSE l.n + 1 END,
			reset = CASE WHEN l.reset <= $3 THEN $2 ELSE l.reset END
		WHERE l.reset <= $3 OR l.n < $4`, key, now.Add(window).UTC(), now.UTC(), limit)
	if err != nil {
		return false, classify("spend", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Pace implements tribune.Limiter: a bucket is the time its tokens are
// all back (the theoretical arrival time of the generic cell rate
// algorithm), raised by one interval per token spent, in one statement.
func (s *Store) Pace(ctx context.Context, key string, interval time.Duration, burst int, spend bool, now time.Time) (bool, error) {
	switch {
	case interval <= 0:
		return true, nil
	case burst < 1:
		return false, nil
	}
	full := now.Add(time.Duration(burst) * interval).UTC() // the latest a bucket may be full at
	if !spend {
		var reset time.Time
		err := s.pool.QueryRow(ctx, `SELECT reset FROM limits WHERE key = $1`, key).Scan(&reset)
		if errors.Is(err, pgx.ErrNoRows) {
			return true, nil
		}
		if err != nil {
			return false, classify("pace", err)
		}
		return !maxTime(reset, now).Add(interval).After(full), nil
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO limits AS l (key, n, reset) VALUES ($1, 0, $2)
		ON CONFLICT (key) DO UPDATE SET reset = GREATEST(l.reset, $3) + $4 * interval '1 microsecond'
		WHERE GREATEST(l.reset, $3) + $4 * interval '1 microsecond' <= $5`,
		key, now.Add(interval).UTC(), now.UTC(), interval.Microseconds(), full)
	if err != nil {
		return false, classify("pace", err)
	}
	return tag.RowsAffected() == 1, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// PurgeLimits implements tribune.Limiter.
func (s *Store) PurgeLimits(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM limits WHERE reset < $1`, now.UTC())
	if err != nil {
		return 0, classify("purge limits", err)
	}
	return int(tag.RowsAffected()), nil
}
