package bus

import "time"

// SetOpTimeout sets the bound of one request to the server until the
// returned func restores it.
func SetOpTimeout(d time.Duration) (restore func()) {
	old := opTimeout
	opTimeout = d
	return func() { opTimeout = old }
}
