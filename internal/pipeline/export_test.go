package pipeline

import "time"

// SetPullHeartbeat sets the heartbeat of single-message pulls until the
// returned func restores it.
func SetPullHeartbeat(d time.Duration) (restore func()) {
	old := pullHeartbeat
	pullHeartbeat = d
	return func() { pullHeartbeat = old }
}
