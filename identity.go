package tribune

// Identity is a visitor the host has signed in: its own user, passed to
// the widget with widget.WithIdentity or to [Service.Submit] in
// [Submission.Identity]. A signed-in visitor types no name, email or
// website: the comment takes the identity's, and carries UserID.
type Identity struct {
	// UserID is the host's ID for the user, stored with the comment
	// ([Comment.UserID]).
	UserID string
	// Name is shown as the author; Email (private, as every email) and
	// Website are stored with the comment.
	Name, Email, Website string
	// Trusted users are published without ModerateFirst's hold (the other
	// rules, such as links and words, still apply).
	Trusted bool
	// Moderators are published at once and may moderate from the page.
	Moderator bool
}
