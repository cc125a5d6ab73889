package proto

import (
	"strconv"
	"time"
)

// DeadLetter is a message a stage gave up on (news.dlq.<stage>). It keeps
// the original message whole so that it can be redriven after a fix.
type DeadLetter struct {
	Envelope
	Stage    string              `json:"stage"`
	Subject  string              `json:"subject"`
	Seq      uint64              `json:"seq"`
	Attempts int                 `json:"attempts"`
	Error    string              `json:"error"`
	FailedAt time.Time           `json:"failed_at"`
	Header   map[string][]string `json:"header,omitempty"`
	Data     []byte              `json:"data"`
}

// MsgID of a dead letter: the stage and the stream sequence it failed at.
func (m *DeadLetter) MsgID() string {
	return "dlq:" + m.Stage + ":" + m.Subject + ":" + strconv.FormatUint(m.Seq, 10)
}
