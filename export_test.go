package tribune

// The rules' inner functions, for the package's external tests.
var (
	LinkCount        = linkCount
	SanitizeArticle  = sanitizeArticle
	NormalizeWebsite = normalizeWebsite
)
