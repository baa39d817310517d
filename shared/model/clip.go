package model

// Clip shortens s to its first n characters (code points, never a byte
// in the middle of one) and an ellipsis, for quoting user input in
// messages and labels; a string of at most n characters stays as it is.
func Clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
