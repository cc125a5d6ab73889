package bus

import "github.com/nats-io/nats.go"

func newMsg(subject string, data []byte, header map[string][]string) *nats.Msg {
	m := nats.NewMsg(subject)
	m.Data = data
	for k, vs := range header {
		for _, v := range vs {
			m.Header.Add(k, v)
		}
	}
	return m
}
