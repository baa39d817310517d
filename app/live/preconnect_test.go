package live

import (
	"os"
	"strings"
	"testing"

	"gloss/shared/protocol"
)

// The page script's preconnect says hello in protocol.Version's dialect.
func TestPreconnectProtocolVersion(t *testing.T) {
	b, err := os.ReadFile("../../web/gloss.js")
	if err != nil {
		t.Fatal(err)
	}
	want := `type: "hello", proto: ` + string(rune('0'+protocol.Version)) + `,`
	if !strings.Contains(string(b), want) {
		t.Fatalf("web/gloss.js preconnect hello lacks %q", want)
	}
}
