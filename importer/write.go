package importer

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// queue adds a comment to the batch, then the replies that waited for it.
func (r *run) queue(c tribune.Comment) error {
	r.done[c.ID] = struct{}{}
	r.batch = append(r.batch, c)
	if len(r.batch) >= r.opts.BatchSize {
		if err := r.flush(); err != nil {
			return err
		}
	}
	kids := r.waiting[c.ID]
	delete(r.waiting, c.ID)
	delete(r.waitingAt, c.ID)
	for _, k := range kids {
		if err := r.queue(k); err != nil {
			return err
		}
	}
	return nil
}

// flushWaiting stores the replies whose parent never came: it was
// skipped or invalid. They become top-level comments.
func (r *run) flushWaiting() error {
	parents := make([]uuid.UUID, 0, len(r.waiting))
	for p := range r.waiting {
		parents = append(parents, p)
	}
	slices.SortFunc(parents, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, p := range parents {
		kids := r.waiting[p]
		delete(r.waiting, p)
		for _, k := range kids {
			k.ParentID = uuid.Nil
			r.rep.Orphans++
			r.rep.note("%s: its parent was not imported; it is now a top-level comment", r.waitingAt[k.ID])
			delete(r.waitingAt, k.ID)
			if err := r.queue(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush hands the batch to the writer, which stores it while the file
// is read on: parsing and writing overlap.
func (r *run) flush() error {
	if len(r.batch) == 0 {
		return nil
	}
	batch := r.batch
	r.batch = nil
	select {
	case r.batches <- batch:
		return nil
	case err := <-r.writerDone:
		r.writerDone <- err // for finish
		if err == nil {
			err = errors.New("importer: the writer stopped")
		}
		return err
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// startWriter runs the writer: it stores the batches in order, and stops
// at the first failure.
func (r *run) startWriter() {
	r.batches = make(chan []tribune.Comment, 2)
	r.writerDone = make(chan error, 1)
	go func() {
		var err error
		for b := range r.batches {
			if err == nil {
				err = r.store1(b)
			}
		}
		r.writerDone <- err
	}()
}

// finish waits for the writer to store what it was given.
func (r *run) finish() error {
	close(r.batches)
	return <-r.writerDone
}

// store1 stores one batch in one transaction, leaving out the comments
// imported before.
func (r *run) store1(batch []tribune.Comment) error {
	// Oldest first within the batch, parents before their replies: the
	// cheapest order for the stores' page positions.
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].Created.Before(batch[j].Created) })
	batch = parentsFirst(batch)
	err := r.storeBatch(batch, true)
	if errors.Is(err, tribune.ErrConflict) {
		// A comment of this source is on the site already under another
		// article (an earlier run with another -map): look for every one.
		err = r.storeBatch(batch, false)
	}
	return err
}

// storeBatch leaves out the comments imported before and stores the rest.
// With trustFresh, comments of articles this run created are not looked
// for: they cannot have been imported before, but under another article.
func (r *run) storeBatch(batch []tribune.Comment, trustFresh bool) error {
	fresh := make([]tribune.Comment, 0, len(batch))
	already := 0
	var check []tribune.Comment
	r.freshMu.RLock()
	for _, c := range batch {
		if trustFresh && r.fresh[c.ArticleID] {
			fresh = append(fresh, c)
		} else {
			check = append(check, c)
		}
	}
	r.freshMu.RUnlock()
	for start := 0; start < len(check); start += tribune.MaxQueryIDs {
		chunk := check[start:min(start+tribune.MaxQueryIDs, len(check))]
		ids := make([]uuid.UUID, len(chunk))
		for i, c := range chunk {
			ids[i] = c.ID
		}
		there, err := r.store.FindComments(r.ctx, tribune.Query{IDs: ids})
		if err != nil {
			return fmt.Errorf("importer: %s: %w", r.file, err)
		}
		seen := make(map[uuid.UUID]bool, len(there))
		for _, c := range there {
			seen[c.ID] = true
		}
		for _, c := range chunk {
			if seen[c.ID] {
				already++
				continue
			}
			fresh = append(fresh, c)
		}
	}
	if r.write && len(fresh) > 0 {
		if err := tribune.InsertComments(r.ctx, r.store, fresh); err != nil {
			return fmt.Errorf("importer: %s: %w", r.file, err)
		}
	}
	// Counted once stored: a batch tried again is not counted twice.
	r.rep.AlreadyThere += already
	for _, c := range fresh {
		r.rep.Imported[c.Status]++
		if c.ParentID != uuid.Nil {
			r.rep.Replies++
		}
	}
	return nil
}

// parentsFirst reorders a batch so that a reply never comes before a
// parent in the same batch.
func parentsFirst(cs []tribune.Comment) []tribune.Comment {
	in := make(map[uuid.UUID]bool, len(cs))
	for _, c := range cs {
		in[c.ID] = true
	}
	out := make([]tribune.Comment, 0, len(cs))
	placed := make(map[uuid.UUID]bool, len(cs))
	var place func(i int)
	byID := make(map[uuid.UUID]int, len(cs))
	for i, c := range cs {
		byID[c.ID] = i
	}
	place = func(i int) {
		c := cs[i]
		if placed[c.ID] {
			return
		}
		placed[c.ID] = true
		if in[c.ParentID] {
			place(byID[c.ParentID])
		}
		out = append(out, c)
	}
	for i := range cs {
		place(i)
	}
	return out
}
