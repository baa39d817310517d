//go:build !unix

package storetest

import "time"

// cpuTime is not measured here: 0, and the benchmark leaves its metric out.
func cpuTime() time.Duration { return 0 }
