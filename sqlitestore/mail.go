package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlrow"
	"github.com/tribune-go/tribune/outbox"
)

var (
	_ outbox.Queue        = (*Store)(nil)
	_ tribune.AddressBook = (*Store)(nil)
	_ tribune.Limiter     = (*Store)(nil)
)

func queryMails(ctx context.Context, q sqlrow.Querier, op, query string, args ...any) ([]outbox.Mail, error) {
	out, err := sqlrow.Collect(ctx, q, sqlrow.Mail, query, args...)
	return out, classify(op, err)
}

// QueueMail implements outbox.Queue.
func (s *Store) QueueMail(ctx context.Context, m *outbox.Mail) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO mail_outbox (`+sqlrow.MailCols+`, recipient_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mail_key) DO NOTHING`,
		m.ID.String(), m.Key, m.Kind, m.To.Address(), m.From, m.Subject, m.Text, m.HTML, m.Lang, m.Unsubscribe,
		string(m.State), micro(m.Queued), micro(m.Due), m.Attempts, micro0(m.Sent), m.LastError, m.To.Key())
	if err != nil {
		return false, classify("queue mail", err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify("queue mail", err)
}

// ClaimMails implements outbox.Queue: one UPDATE … RETURNING on the
// one writer, so two workers, in this process or another, never claim
// the same mail.
func (s *Store) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Mail, error) {
	return queryMails(ctx, s.w, "claim mails", `UPDATE mail_outbox SET due = ?1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM mail_outbox WHERE state = 'queued' AND due <= ?2 ORDER BY due, id LIMIT ?3)
		RETURNING `+sqlrow.MailCols, micro(now.Add(lease)), micro(now), max(limit, 1))
}

// FinishMail implements outbox.Queue.
func (s *Store) FinishMail(ctx context.Context, id uuid.UUID, o outbox.Outcome) error {
	var res sql.Result
	var err error
	// The fence: an outcome about an earlier claim of the mail changes
	// nothing.
	const fence = ` AND (?4 = 0 OR (state = 'queued' AND attempts = ?4))`
	switch o.State {
	case outbox.Sent:
		res, err = s.w.ExecContext(ctx, `UPDATE mail_outbox SET state = 'sent', sent = ?1, last_error = ?2, text_body = '', html_body = '' WHERE id = ?3`+fence,
			micro(o.Now), o.Error, id.String(), o.Attempt)
	case outbox.Queued:
		res, err = s.w.ExecContext(ctx, `UPDATE mail_outbox SET due = ?1, last_error = ?2 WHERE id = ?3`+fence, micro(o.Retry), o.Error, id.String(), o.Attempt)
	case outbox.Failed:
		res, err = s.w.ExecContext(ctx, `UPDATE mail_outbox SET state = 'failed', last_error = ?2 WHERE id = ?3 AND ?1 IS NOT NULL`+fence,
			0, o.Error, id.String(), o.Attempt)
	default:
		return fmt.Errorf("sqlitestore: finish mail: state %q: %w", o.State, tribune.ErrInvalid)
	}
	if err != nil {
		return classify("finish mail", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return classify("finish mail", err)
	}
	var one int
	if err := s.w.QueryRowContext(ctx, `SELECT 1 FROM mail_outbox WHERE id = ?`, id.String()).Scan(&one); err != nil {
		return classify("finish mail", err)
	}
	return fmt.Errorf("sqlitestore: finish mail: claimed again since: %w", tribune.ErrConflict)
}

// RenewMail implements outbox.Queue.
func (s *Store) RenewMail(ctx context.Context, id uuid.UUID, attempt int, due time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE mail_outbox SET due = ? WHERE id = ? AND state = 'queued' AND attempts = ?`,
		micro(due), id.String(), attempt)
	if err != nil {
		return false, classify("renew mail", err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify("renew mail", err)
}

// Mails implements outbox.Queue.
func (s *Store) Mails(ctx context.Context, state outbox.State, page tribune.Span) ([]outbox.Mail, error) {
	p := page.Norm()
	return queryMails(ctx, s.r, "mails", `SELECT `+sqlrow.MailCols+` FROM mail_outbox WHERE state = ? ORDER BY queued DESC, id DESC LIMIT ? OFFSET ?`,
		string(state), p.Limit, p.Offset)
}

// PurgeMails implements outbox.Queue.
func (s *Store) PurgeMails(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM mail_outbox WHERE state <> 'queued' AND queued < ?`, micro(before))
	if err != nil {
		return 0, classify("purge mails", err)
	}
	n, err := res.RowsAffected()
	return int(n), classify("purge mails", err)
}

// Address implements tribune.AddressBook.
func (s *Store) Address(ctx context.Context, key string) (tribune.Address, error) {
	a, err := sqlrow.Address(s.r.QueryRowContext(ctx, `SELECT `+sqlrow.AddressCols+` FROM mail_addresses WHERE email_key = ?`, key))
	return a, classify("address", err)
}

// AddressByID implements tribune.AddressBook.
func (s *Store) AddressByID(ctx context.Context, id uuid.UUID) (tribune.Address, error) {
	a, err := sqlrow.Address(s.r.QueryRowContext(ctx, `SELECT `+sqlrow.AddressCols+` FROM mail_addresses WHERE id = ?`, id.String()))
	return a, classify("address", err)
}

// UpdateAddress implements tribune.AddressBook, in one immediate
// transaction on the writer.
func (s *Store) UpdateAddress(ctx context.Context, key string, apply func(*tribune.Address) error) (tribune.Address, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return tribune.Address{}, classify("update address", err)
	}
	defer tx.Rollback()
	old, err := sqlrow.Address(tx.QueryRowContext(ctx, `SELECT `+sqlrow.AddressCols+` FROM mail_addresses WHERE email_key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		old, err = tribune.Address{ID: uuid.New(), Key: key}, nil
	}
	if err != nil {
		return tribune.Address{}, classify("update address", err)
	}
	a := old
	if err := apply(&a); err != nil {
		return tribune.Address{}, err
	}
	a.ID, a.Key = old.ID, key
	if _, err := tx.ExecContext(ctx, `INSERT INTO mail_addresses (`+sqlrow.AddressCols+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (email_key) DO UPDATE SET verified = excluded.verified, confirm_sent = excluded.confirm_sent, opted_out = excluded.opted_out`,
		a.ID.String(), key, micro0(a.Verified), micro0(a.ConfirmSent), micro0(a.OptedOut)); err != nil {
		return tribune.Address{}, classify("update address", err)
	}
	a.Verified, a.ConfirmSent = fromMicro0(micro0(a.Verified)), fromMicro0(micro0(a.ConfirmSent))
	a.OptedOut = fromMicro0(micro0(a.OptedOut))
	return a, classify("update address", tx.Commit())
}

// Subscription implements tribune.AddressBook.
func (s *Store) Subscription(ctx context.Context, commentID uuid.UUID) (tribune.Subscription, error) {
	sub := tribune.Subscription{CommentID: commentID}
	var created, confirmed int64
	err := s.r.QueryRowContext(ctx, `SELECT email_key, created, active, confirmed FROM mail_subscriptions WHERE comment_id = ?`, commentID.String()).
		Scan(&sub.EmailKey, &created, &sub.Active, &confirmed)
	sub.Created, sub.Confirmed = fromMicro(created), fromMicro0(confirmed)
	return sub, classify("subscription", err)
}

// SaveSubscription implements tribune.AddressBook.
func (s *Store) SaveSubscription(ctx context.Context, sub tribune.Subscription) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO mail_subscriptions (comment_id, email_key, created, active, confirmed) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (comment_id) DO UPDATE SET email_key = excluded.email_key, created = excluded.created, active = excluded.active,
		confirmed = excluded.confirmed`,
		sub.CommentID.String(), sub.EmailKey, micro(sub.Created), sub.Active, micro0(sub.Confirmed))
	return classify("save subscription", err)
}

// ForgetAddress implements tribune.AddressBook, in one transaction.
func (s *Store) ForgetAddress(ctx context.Context, key string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify("forget address", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM mail_addresses WHERE email_key = ?`, `DELETE FROM mail_subscriptions WHERE email_key = ?`,
		`DELETE FROM mail_outbox WHERE recipient_key = ?`} {
		if _, err := tx.ExecContext(ctx, q, key); err != nil {
			return classify("forget address", err)
		}
	}
	return classify("forget address", tx.Commit())
}

// Spend implements tribune.Limiter: one statement on the one writer.
func (s *Store) Spend(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	if limit < 1 {
		return false, nil
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO limits (key, n, reset) VALUES (?1, 1, ?2)
		ON CONFLICT (key) DO UPDATE SET
			n = CASE WHEN reset <= ?3 THEN 1 ELSE n + 1 END,
			reset = CASE WHEN reset <= ?3 THEN ?2 ELSE reset END
		WHERE reset <= ?3 OR n < ?4`, key, micro(now.Add(window)), micro(now), limit)
	if err != nil {
		return false, classify("spend", err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify("spend", err)
}

// Pace implements tribune.Limiter: ErrNotSupported, since one process owns the file:
// a caller keeps its token buckets in memory.
func (s *Store) Pace(context.Context, string, time.Duration, int, bool, time.Time) (bool, error) {
	return false, tribune.ErrNotSupported
}

// PurgeLimits implements tribune.Limiter.
func (s *Store) PurgeLimits(ctx context.Context, now time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM limits WHERE reset < ?`, micro(now))
	if err != nil {
		return 0, classify("purge limits", err)
	}
	n, err := res.RowsAffected()
	return int(n), classify("purge limits", err)
}
