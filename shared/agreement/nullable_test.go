package agreement

import "testing"

func TestNullable(t *testing.T) {
	if p := (Score{Value: 1}).Nullable(); p != nil {
		t.Errorf("undefined score = %v, want nil", *p)
	}
	s := Score{Value: 0.25, Defined: true}
	p := s.Nullable()
	if p == nil || *p != 0.25 {
		t.Fatalf("defined score = %v, want 0.25", p)
	}
	*p = 9
	if s.Value != 0.25 {
		t.Error("the pointer aliases the score")
	}
}
