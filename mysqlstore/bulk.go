package mysqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlrow"
)

// bulkRows is how many comments one INSERT of InsertComments sends.
const bulkRows = 200

// InsertComments implements tribune.BulkInserter: one transaction,
// multi-row INSERTs of up to 200 comments. Parents come before their
// replies, which InnoDB's row-by-row foreign key check needs.
func (s *Store) InsertComments(ctx context.Context, cs []tribune.Comment) error {
	if len(cs) == 0 {
		return ctx.Err()
	}
	return s.inTx(ctx, "insert comments", func(tx *sql.Tx) error {
		var arts []uuid.UUID
		for _, c := range cs {
			arts = append(arts, c.ArticleID)
		}
		slices.SortFunc(arts, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		arts = slices.Compact(arts)
		for _, a := range arts {
			if err := bump(ctx, tx, a); err != nil {
				return err
			}
		}
		row := "(?" + strings.Repeat(", ?", 16) + ")"
		for start := 0; start < len(cs); start += bulkRows {
			chunk := cs[start:min(start+bulkRows, len(cs))]
			args := make([]any, 0, 17*len(chunk))
			for i := range chunk {
				args = append(args, insertArgs(&chunk[i])...)
			}
			q := `INSERT INTO comments (` + sqlrow.CommentCols + `, email_key) VALUES ` + row + strings.Repeat(", "+row, len(chunk)-1)
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return classify(fmt.Sprintf("insert comments %d to %d of %d", start+1, start+len(chunk), len(cs)), err)
			}
		}
		type delta struct{ all, top int }
		deltas := map[uuid.UUID]delta{}
		for i := range cs {
			all, top := counts(&cs[i])
			d := deltas[cs[i].ArticleID]
			deltas[cs[i].ArticleID] = delta{d.all + all, d.top + top}
		}
		for _, a := range arts {
			if err := recount(ctx, tx, a, deltas[a].all, deltas[a].top); err != nil {
				return err
			}
			if err := renumber(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}
