package live

import (
	"math"
	mrand "math/rand/v2"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// backoff is how long to wait before reconnect attempt number attempt
// (0 first): exponential backoff with full jitter, 250 ms doubling to
// 10 s, so a restarted server is not hit by every client at the same
// instant. Document and story sessions share it.
func backoff(attempt int) time.Duration {
	d := time.Duration(math.Min(10000, 250*math.Pow(2, float64(attempt)))) * time.Millisecond
	return time.Duration(mrand.Int64N(int64(d)) + int64(100*time.Millisecond))
}

// socketURL is the address of this site's websocket endpoint.
func socketURL() string {
	loc := app.Window().Get("location")
	scheme := "ws:"
	if loc.Get("protocol").String() == "https:" {
		scheme = "wss:"
	}
	return scheme + "//" + loc.Get("host").String() + "/ws"
}
