package live

// Seq is the seq of the last op in the session's confirmed state: the
// desk compares it with the seq a pre-rendered document was made at.
func (s *Session) Seq() int64 { return s.state.Seq }
