package store

import "os"

// notifyInCommit is whether Commit tells other instances of the ops with
// pg_notify inside its transaction, as it must for them to follow
// promptly. GLOSS_BENCH_NOTIFY=off leaves it out, for one measurement
// only: what the NOTIFY costs a single instance's throughput (a
// transaction that notifies takes a global lock at commit). Other
// instances then learn of the ops from their poll alone (Config.Poll).
var notifyInCommit = os.Getenv("GLOSS_BENCH_NOTIFY") != "off"
