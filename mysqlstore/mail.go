package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlrow"
	"github.com/tribune-go/tribune/outbox"
)

var (
	_ outbox.Queue        = (*Store)(nil)
	_ tribune.AddressBook = (*Store)(nil)
)

func queryMails(ctx context.Context, q sqlrow.Querier, op, query string, args ...any) ([]outbox.Mail, error) {
	out, err := sqlrow.Collect(ctx, q, sqlrow.Mail, query, args...)
	return out, classify(op, err)
}

// QueueMail implements outbox.Queue.
func (s *Store) QueueMail(ctx context.Context, m *outbox.Mail) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO mail_outbox (`+sqlrow.MailCols+`, recipient_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id`,
		m.ID.String(), m.Key, m.Kind, m.To.Address(), m.From, m.Subject, m.Text, m.HTML, m.Lang, m.Unsubscribe,
		string(m.State), utc(m.Queued), utc(m.Due), m.Attempts, nullTime(m.Sent), m.LastError, m.To.Key())
	if err != nil {
		return false, classify("queue mail", err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify("queue mail", err)
}

// ClaimMails implements outbox.Queue: the due rows are locked with
// FOR UPDATE SKIP LOCKED and leased in the same transaction, so workers
// on several instances take different mails and never wait for each
// other.
func (s *Store) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Mail, error) {
	var out []outbox.Mail
	err := s.inTx(ctx, "claim mails", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM mail_outbox WHERE state = 'queued' AND due <= ? ORDER BY due, id LIMIT ? FOR UPDATE SKIP LOCKED`,
			utc(now), max(limit, 1))
		if err != nil {
			return classify("claim mails", err)
		}
		var ids []any
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return classify("claim mails", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			out = []outbox.Mail{}
			return classify("claim mails", err)
		}
		in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
		if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET due = ?, attempts = attempts + 1 WHERE id IN `+in,
			append([]any{utc(now.Add(lease))}, ids...)...); err != nil {
			return classify("claim mails", err)
		}
		out, err = queryMails(ctx, tx, "claim mails", `SELECT `+sqlrow.MailCols+` FROM mail_outbox WHERE id IN `+in+` ORDER BY due, id`, ids...)
		return err
	})
	return out, err
}

// FinishMail implements outbox.Queue.
func (s *Store) FinishMail(ctx context.Context, id uuid.UUID, o outbox.Outcome) error {
	var q string
	var args []any
	// The fence: an outcome about an earlier claim of the mail changes
	// nothing.
	const fence = ` AND (? = 0 OR (state = 'queued' AND attempts = ?))`
	fenced := []any{o.Attempt, o.Attempt}
	switch o.State {
	case outbox.Sent:
		q, args = `UPDATE mail_outbox SET state = 'sent', sent = ?, last_error = ?, text_body = '', html_body = '' WHERE id = ?`+fence,
			append([]any{utc(o.Now), o.Error, id.String()}, fenced...)
	case outbox.Queued:
		q, args = `UPDATE mail_outbox SET due = ?, last_error = ? WHERE id = ?`+fence, append([]any{utc(o.Retry), o.Error, id.String()}, fenced...)
	case outbox.Failed:
		q, args = `UPDATE mail_outbox SET state = 'failed', last_error = ? WHERE id = ?`+fence, append([]any{o.Error, id.String()}, fenced...)
	default:
		return fmt.Errorf("mysqlstore: finish mail: state %q: %w", o.State, tribune.ErrInvalid)
	}
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return classify("finish mail", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		// An update that changes nothing counts no row: tell a missing
		// mail, and a fenced-out outcome, from an unchanged row.
		var state string
		var attempts int
		if err := s.db.QueryRowContext(ctx, `SELECT state, attempts FROM mail_outbox WHERE id = ?`, id.String()).Scan(&state, &attempts); err != nil {
			return classify("finish mail", err)
		}
		if o.Attempt > 0 && (state != string(outbox.Queued) && state != string(o.State) || attempts != o.Attempt) {
			return fmt.Errorf("mysqlstore: finish mail: claimed again since: %w", tribune.ErrConflict)
		}
	}
	return nil
}

// RenewMail implements outbox.Queue.
func (s *Store) RenewMail(ctx context.Context, id uuid.UUID, attempt int, due time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE mail_outbox SET due = ? WHERE id = ? AND state = 'queued' AND attempts = ?`,
		utc(due), id.String(), attempt)
	if err != nil {
		return false, classify("renew mail", err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify("renew mail", err)
}

// Mails implements outbox.Queue.
func (s *Store) Mails(ctx context.Context, state outbox.State, page tribune.Span) ([]outbox.Mail, error) {
	p := page.Norm()
	return queryMails(ctx, s.db, "mails", `SELECT `+sqlrow.MailCols+` FROM mail_outbox WHERE state = ? ORDER BY queued DESC, id DESC LIMIT ? OFFSET ?`,
		string(state), p.Limit, p.Offset)
}

// PurgeMails implements outbox.Queue.
func (s *Store) PurgeMails(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM mail_outbox WHERE state <> 'queued' AND queued < ?`, utc(before))
	if err != nil {
		return 0, classify("purge mails", err)
	}
	n, err := res.RowsAffected()
	return int(n), classify("purge mails", err)
}

// Address implements tribune.AddressBook.
func (s *Store) Address(ctx context.Context, key string) (tribune.Address, error) {
	a, err := sqlrow.Address(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.AddressCols+` FROM mail_addresses WHERE email_key = ?`, key))
	return a, classify("address", err)
}

// AddressByID implements tribune.AddressBook.
func (s *Store) AddressByID(ctx context.Context, id uuid.UUID) (tribune.Address, error) {
	a, err := sqlrow.Address(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.AddressCols+` FROM mail_addresses WHERE id = ?`, id.String()))
	return a, classify("address", err)
}

// UpdateAddress implements tribune.AddressBook: the row is created if
// missing, then locked, read, changed and written in one transaction.
func (s *Store) UpdateAddress(ctx context.Context, key string, apply func(*tribune.Address) error) (tribune.Address, error) {
	var a tribune.Address
	err := s.inTx(ctx, "update address", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_addresses (id, email_key) VALUES (?, ?) ON DUPLICATE KEY UPDATE id = id`,
			uuid.NewString(), key); err != nil {
			return classify("update address", err)
		}
		old, err := sqlrow.Address(tx.QueryRowContext(ctx, `SELECT `+sqlrow.AddressCols+` FROM mail_addresses WHERE email_key = ? FOR UPDATE`, key))
		if err != nil {
			return classify("update address", err)
		}
		a = old
		if err := apply(&a); err != nil {
			return applyError{err}
		}
		a.ID, a.Key = old.ID, key
		a.Verified, a.ConfirmSent, a.OptedOut = utc(a.Verified), utc(a.ConfirmSent), utc(a.OptedOut)
		_, err = tx.ExecContext(ctx, `UPDATE mail_addresses SET verified = ?, confirm_sent = ?, opted_out = ? WHERE id = ?`,
			nullTime(a.Verified), nullTime(a.ConfirmSent), nullTime(a.OptedOut), a.ID.String())
		return classify("update address", err)
	})
	var ae applyError
	if errors.As(err, &ae) {
		return tribune.Address{}, ae.err
	}
	if err != nil {
		return tribune.Address{}, err
	}
	return a, nil
}

// Subscription implements tribune.AddressBook.
func (s *Store) Subscription(ctx context.Context, commentID uuid.UUID) (tribune.Subscription, error) {
	sub := tribune.Subscription{CommentID: commentID}
	var confirmed sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT email_key, created, active, confirmed FROM mail_subscriptions WHERE comment_id = ?`, commentID.String()).
		Scan(&sub.EmailKey, &sub.Created, &sub.Active, &confirmed)
	sub.Created, sub.Confirmed = sub.Created.UTC(), timeOf(confirmed)
	return sub, classify("subscription", err)
}

// SaveSubscription implements tribune.AddressBook.
func (s *Store) SaveSubscription(ctx context.Context, sub tribune.Subscription) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mail_subscriptions (comment_id, email_key, created, active, confirmed) VALUES (?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE email_key = VALUES(email_key), created = VALUES(created), active = VALUES(active),
		confirmed = VALUES(confirmed)`,
		sub.CommentID.String(), sub.EmailKey, utc(sub.Created), sub.Active, nullTime(sub.Confirmed))
	return classify("save subscription", err)
}

// ForgetAddress implements tribune.AddressBook, in one transaction.
func (s *Store) ForgetAddress(ctx context.Context, key string) error {
	return s.inTx(ctx, "forget address", func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM mail_addresses WHERE email_key = ?`, `DELETE FROM mail_subscriptions WHERE email_key = ?`,
			`DELETE FROM mail_outbox WHERE recipient_key = ?`} {
			if _, err := tx.ExecContext(ctx, q, key); err != nil {
				return classify("forget address", err)
			}
		}
		return nil
	})
}

// timeOf is a nullable time as the contract has it: zero for NULL.
func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

var _ tribune.Limiter = (*Store)(nil)

// Spend implements tribune.Limiter: one upsert, which locks the row, so
// instances spending one key at once are counted in turn. The driver
// reports changed rows: 1 for a new key, 2 for a counted use, 0 for a
// refused one (the row is left as it was).
func (s *Store) Spend(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	if limit < 1 {
		return false, nil
	}
	t := utc(now)
	res, err := s.db.ExecContext(ctx, "INSERT INTO limits (`key`, n, `reset`) VALUES (?, 1, ?) "+
		"ON DUPLICATE KEY UPDATE n = IF(`reset` <= ?, 1, IF(n < ?, n + 1, n)), `reset` = IF(`reset` <= ?, VALUES(`reset`), `reset`)",
		key, utc(now.Add(window)), t, limit, t)
	if err != nil {
		return false, classify("spend", err)
	}
	n, err := res.RowsAffected()
	return n > 0, classify("spend", err)
}

// Pace implements tribune.Limiter: a bucket is the time its tokens are
// all back (the theoretical arrival time of the generic cell rate
// algorithm), raised by one interval per token spent, in one statement
// (a refused spend leaves the row as it was: no row affected).
func (s *Store) Pace(ctx context.Context, key string, interval time.Duration, burst int, spend bool, now time.Time) (bool, error) {
	switch {
	case interval <= 0:
		return true, nil
	case burst < 1:
		return false, nil
	}
	full := utc(now.Add(time.Duration(burst) * interval)) // the latest a bucket may be full at
	if !spend {
		var reset time.Time
		err := s.db.QueryRowContext(ctx, "SELECT `reset` FROM limits WHERE `key` = ?", key).Scan(&reset)
		if errors.Is(err, sql.ErrNoRows) {
			return true, nil
		}
		if err != nil {
			return false, classify("pace", err)
		}
		if now.After(reset) {
			reset = now
		}
		return !reset.Add(interval).After(full), nil
	}
	t, us := utc(now), interval.Microseconds()
	res, err := s.db.ExecContext(ctx, "INSERT INTO limits (`key`, n, `reset`) VALUES (?, 0, ?) "+
		"ON DUPLICATE KEY UPDATE `reset` = IF(GREATEST(`reset`, CAST(? AS DATETIME(6))) + INTERVAL ? MICROSECOND <= CAST(? AS DATETIME(6)), "+
		"GREATEST(`reset`, CAST(? AS DATETIME(6))) + INTERVAL ? MICROSECOND, `reset`)",
		key, utc(now.Add(interval)), t, us, full, t, us)
	if err != nil {
		return false, classify("pace", err)
	}
	n, err := res.RowsAffected()
	return n > 0, classify("pace", err)
}

// PurgeLimits implements tribune.Limiter.
func (s *Store) PurgeLimits(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM limits WHERE `reset` < ?", utc(now))
	if err != nil {
		return 0, classify("purge limits", err)
	}
	n, err := res.RowsAffected()
	return int(n), classify("purge limits", err)
}
