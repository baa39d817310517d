package model

// DefaultLayer is the layer a user's new annotations go to when the client
// does not name one: reviewers adjudicate into gold, everyone else writes
// their own layer.
func DefaultLayer(role Role, user string) string {
	if role == RoleReviewer {
		return GoldLayer
	}
	return user
}

// CanWrite reports whether a user with role may create, change or delete
// annotations in layer. Annotators own exactly their layer; reviewers own
// gold; admins may do both; viewers write nothing. The server checks this
// for every op; the UI only uses it to grey out what would be refused.
func CanWrite(role Role, user, layer string) bool {
	switch role {
	case RoleAnnotator:
		return layer == user && layer != GoldLayer
	case RoleReviewer:
		return layer == GoldLayer
	case RoleAdmin:
		return layer == user || layer == GoldLayer
	}
	return false
}
