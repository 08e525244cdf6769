package widget_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/render"
	"github.com/tribune-go/tribune/widget"
)

// TestPassThroughCannotUndoTheWiring: an option passed on to the Service
// or the Renderer that would silently undo what New wires (the client key
// from WithSecret, the reply depth from the rules, the catalogue from
// WithMessages) makes New fail with a message naming both; the same
// settings made the one way work.
func TestPassThroughCannotUndoTheWiring(t *testing.T) {
	t.Parallel()
	secret := widget.WithSecret([]byte("a test secret of at least 32 bytes!"))
	other, err := i18n.DefaultCatalog().WithMessages("fr", fstest.MapFS{"fr.json": {Data: []byte(`{"messages": {"form.title": "Réagir"}}`)}})
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		opt  widget.Option
		want string
	}{
		"client key":  {widget.WithRules(tribune.WithClientKey([]byte("another key of at least 32 bytes!!"))), "WithSecret"},
		"reply depth": {widget.WithRenderOptions(render.WithMaxDepth(9)), "WithReplyDepth"},
		"catalogue":   {widget.WithRenderOptions(render.WithCatalog(other)), "WithMessages"},
	} {
		_, err := widget.New(memstore.New(), secret, tc.opt)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	_, err = widget.New(memstore.New(), secret, widget.WithRules(tribune.WithReplyDepth(2)),
		widget.WithRenderOptions(render.WithLocation(nil), render.WithMaxDepth(2)))
	require.NoError(t, err, "the depth the rules set may be said again")
}
