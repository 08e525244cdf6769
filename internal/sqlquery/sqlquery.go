// Package sqlquery turns a tribune.Query into SQL, once for the three SQL
// stores: each gives its placeholder style and how it passes a UUID, and
// gets back the WHERE, ORDER BY and LIMIT clauses with their arguments.
// The column names are those every SQL store's schema uses.
package sqlquery

import (
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// Dialect is what differs between SQL databases here.
type Dialect struct {
	// Placeholder returns the n-th placeholder, from 1: "?" or "$n".
	Placeholder func(n int) string
	// UUID converts an ID to the driver's argument.
	UUID func(uuid.UUID) any
	// Lateral writes the page query's joins as LATERAL subqueries that
	// the planner cannot flatten (PostgreSQL): its estimate of a
	// recursive query's size is a guess that can make it scan the whole
	// table and hash it instead of following the indexes.
	Lateral bool
	// ZeroEdited says the store keeps "never edited" as 0 (SQLite), not
	// as NULL.
	ZeroEdited bool
}

// Question is the "?" placeholder of SQLite and MySQL.
func Question(int) string { return "?" }

// Dollar is PostgreSQL's "$n" placeholder.
func Dollar(n int) string { return "$" + strconv.Itoa(n) }

// Builder accumulates arguments and hands out their placeholders.
type Builder struct {
	d    Dialect
	Args []any
}

// New returns a Builder whose first placeholder follows the given
// arguments.
func New(d Dialect, args ...any) *Builder { return &Builder{d: d, Args: args} }

// Arg adds an argument and returns its placeholder.
func (b *Builder) Arg(v any) string {
	b.Args = append(b.Args, v)
	return b.d.Placeholder(len(b.Args))
}

// List adds the arguments and returns "(p1, p2, …)".
func (b *Builder) List(vs []any) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = b.Arg(v)
	}
	return "(" + strings.Join(ps, ", ") + ")"
}

// Comments returns the clauses that follow "SELECT cols FROM comments" for
// q: " WHERE … ORDER BY … [LIMIT … OFFSET …]", with the builder holding
// the arguments.
func (b *Builder) Comments(q tribune.Query) string {
	var conds []string
	if q.ArticleID != uuid.Nil {
		conds = append(conds, "article_id = "+b.Arg(b.d.UUID(q.ArticleID)))
	}
	if ids := q.IDs[:min(len(q.IDs), tribune.MaxQueryIDs)]; len(ids) > 0 {
		vs := make([]any, len(ids))
		for i, id := range ids {
			vs[i] = b.d.UUID(id)
		}
		conds = append(conds, "id IN "+b.List(vs))
	}
	if q.ParentID != uuid.Nil {
		conds = append(conds, "parent_id = "+b.Arg(b.d.UUID(q.ParentID)))
	}
	if len(q.Statuses) > 0 {
		vs := make([]any, len(q.Statuses))
		for i, st := range q.Statuses {
			vs[i] = string(st)
		}
		conds = append(conds, "status IN "+b.List(vs))
	}
	// The email and key conditions repeat the partial indexes' own
	// condition, so that SQLite and PostgreSQL use them.
	if q.EmailKey != "" {
		conds = append(conds, "email_key = "+b.Arg(q.EmailKey)+" AND email_key <> ''")
	}
	if q.Key != "" {
		conds = append(conds, "idem_key = "+b.Arg(q.Key)+" AND idem_key <> ''")
	}
	if q.Edited {
		if b.d.ZeroEdited {
			conds = append(conds, "edited <> 0")
		} else {
			conds = append(conds, "edited IS NOT NULL")
		}
	}
	var sb strings.Builder
	if len(conds) > 0 {
		sb.WriteString(" WHERE ")
		sb.WriteString(strings.Join(conds, " AND "))
	}
	if q.Newest {
		sb.WriteString(" ORDER BY created DESC, id DESC")
	} else {
		sb.WriteString(" ORDER BY created, id")
	}
	switch {
	case q.Limit > 0:
		sb.WriteString(" LIMIT " + strconv.Itoa(q.Limit))
		if q.Offset > 0 {
			sb.WriteString(" OFFSET " + strconv.Itoa(q.Offset))
		}
	case q.Offset > 0:
		// Every match after Offset: the largest LIMIT all three accept.
		sb.WriteString(" LIMIT 9223372036854775807 OFFSET " + strconv.Itoa(q.Offset))
	}
	return sb.String()
}

// Page returns the query of one comment page (tribune.Pager.CommentPage)
// selecting cols: the page's approved top-level comments by their
// positions (top_pos, a range of the comments_pos index whatever the
// thread's size), then all their replies by a recursive walk of the
// parent index, in thread order. SQLite, PostgreSQL, MySQL 8 and MariaDB
// 10.2+ all run it.
func (b *Builder) Page(cols string, q tribune.PageQuery) string {
	a := b.d.UUID(q.ArticleID)
	var roots string
	if q.NewestFirst {
		// Positions counted from the newest: the article's count of them
		// less the offset.
		roots = `SELECT id FROM comments WHERE article_id = ` + b.Arg(a) +
			` AND top_pos >= (SELECT approved_top FROM articles WHERE id = ` + b.Arg(a) + `) - ` + strconv.Itoa(q.Offset+q.Limit) +
			` AND top_pos < (SELECT approved_top FROM articles WHERE id = ` + b.Arg(a) + `) - ` + strconv.Itoa(q.Offset)
	} else {
		roots = `SELECT id FROM comments WHERE article_id = ` + b.Arg(a) +
			` AND top_pos >= ` + strconv.Itoa(q.Offset) + ` AND top_pos < ` + strconv.Itoa(q.Offset+q.Limit)
	}
	if b.d.Lateral {
		fields := strings.Split(cols, ", ")
		for i, f := range fields {
			fields[i] = "c." + f
		}
		ccols := strings.Join(fields, ", ")
		// Each step is an index look-up a row (OFFSET 0 keeps the
		// subqueries apart); a tree is at most maxDepth deep.
		return `WITH RECURSIVE page_roots (id) AS (
	` + roots + `
), page_tree AS (
	SELECT c.*, 1 AS depth FROM page_roots r CROSS JOIN LATERAL (SELECT ` + ccols + ` FROM comments c WHERE c.id = r.id OFFSET 0) c
	UNION ALL
	SELECT c.*, t.depth + 1 FROM page_tree t CROSS JOIN LATERAL (SELECT ` + ccols + ` FROM comments c WHERE c.parent_id = t.id OFFSET 0) c
	WHERE t.depth < ` + strconv.Itoa(maxDepth) + `
)
SELECT ` + cols + ` FROM page_tree ORDER BY created, id`
	}
	return `WITH RECURSIVE page_roots (id) AS (
	` + roots + `
), page_tree (id) AS (
	SELECT id FROM page_roots
	UNION
	SELECT c.id FROM comments c JOIN page_tree t ON c.parent_id = t.id
)
SELECT ` + cols + ` FROM comments WHERE id IN (SELECT id FROM page_tree) ORDER BY created, id`
}

// maxDepth bounds the walk down a page's replies.
const maxDepth = 64

// TopLevelBefore returns the query counting an article's approved
// top-level comments before (created, id) in thread order: the stored
// position when id is one of them (one row: a permalink costs the same
// whatever the thread), else a count by the comments_top index; created
// is the driver's form of the time.
func (b *Builder) TopLevelBefore(articleID uuid.UUID, created any, id uuid.UUID) string {
	pos := `SELECT top_pos FROM comments WHERE id = ` + b.Arg(b.d.UUID(id)) + ` AND article_id = ` + b.Arg(b.d.UUID(articleID)) +
		` AND top_pos IS NOT NULL`
	a := b.Arg(b.d.UUID(articleID))
	t1, t2, i := b.Arg(created), b.Arg(created), b.Arg(b.d.UUID(id))
	return `SELECT COALESCE((` + pos + `), (SELECT COUNT(*) FROM comments WHERE article_id = ` + a + ` AND parent_id IS NULL AND status = 'approved'
	AND created <= ` + t1 + ` AND (created < ` + t2 + ` OR id < ` + i + `)))`
}
