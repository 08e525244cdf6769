package i18n_test

import (
	"fmt"

	"github.com/tribune-go/tribune/i18n"
)

func ExampleLocale_Count() {
	fmt.Println(i18n.For("fr").Count(0), "/", i18n.For("fr").Count(1), "/", i18n.For("fr").Count(3))
	fmt.Println(i18n.For("en").Count(0), "/", i18n.For("en").Count(1), "/", i18n.For("en").Count(3))
	// Output:
	// Aucun commentaire / 1 commentaire / 3 commentaires
	// No comments / 1 comment / 3 comments
}
