package synctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gloss/shared/protocol"
)

// ErrTimeout is returned when an awaited message does not come in time.
var ErrTimeout = errors.New("synctest: timed out waiting for a message")

// Client is one websocket connection speaking the wire protocol. A reader
// goroutine, started by the first Next, queues every message without
// bound, so the server never sees a slow client unless the test wants one:
// a client that never calls Next never reads its socket. Every message
// Next returns has first been observed by the client's Replica.
type Client struct {
	Conn    *websocket.Conn
	Replica *Replica

	wmu sync.Mutex // serialises writes

	startOnce sync.Once
	mu        sync.Mutex
	queue     []protocol.Message
	readErr   error         // why reading stopped, once it has
	notify    chan struct{} // signalled when queue or readErr change
}

// DialOptions configure Dial.
type DialOptions struct {
	// Replica is the state to follow; a new one by default. A client
	// that reconnects passes its old replica on.
	Replica *Replica
	// ReadBuffer, if set, is the kernel receive buffer (SO_RCVBUF) of the
	// client's socket.
	ReadBuffer int
}

// Dial connects to url.
func Dial(ctx context.Context, url string, opt DialOptions) (*Client, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	if opt.ReadBuffer > 0 {
		nd := &net.Dialer{}
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetReadBuffer(opt.ReadBuffer)
			}
			return c, err
		}
	}
	conn, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	if opt.Replica == nil {
		opt.Replica = NewReplica()
	}
	return &Client{Conn: conn, Replica: opt.Replica, notify: make(chan struct{}, 1)}, nil
}

// Send writes one message.
func (c *Client) Send(m protocol.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.SendRaw(data)
}

// SendRaw writes data as one text message.
func (c *Client) SendRaw(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.Conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.Conn.WriteMessage(websocket.TextMessage, data)
}

// Hello sends a hello for doc and waits for the welcome. A refusal comes
// back as an error: a *ServerError for an error message, a
// *websocket.CloseError for a close.
func (c *Client) Hello(doc int64, epoch string, since int64, timeout time.Duration) (protocol.Message, error) {
	if err := c.Send(protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Doc: doc, Epoch: epoch, Since: since}); err != nil {
		return protocol.Message{}, err
	}
	return c.Await(timeout, func(m protocol.Message) (bool, error) {
		switch m.Type {
		case protocol.TypeWelcome:
			return true, nil
		case protocol.TypeError:
			return false, &ServerError{m}
		}
		return false, nil
	})
}

// ServerError is an error message from the server.
type ServerError struct{ Msg protocol.Message }

func (e *ServerError) Error() string { return "server error " + e.Msg.Code + ": " + e.Msg.Text }

// Next returns the next message, waiting at most timeout. Once the
// connection has ended and every message before the end was returned, it
// returns why the connection ended (a *websocket.CloseError if the server
// sent a close frame).
func (c *Client) Next(timeout time.Duration) (protocol.Message, error) {
	c.startOnce.Do(func() { go c.read() })
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			m := c.queue[0]
			c.queue[0] = protocol.Message{}
			c.queue = c.queue[1:]
			c.mu.Unlock()
			if err := c.Replica.Observe(m); err != nil {
				return m, err
			}
			return m, nil
		}
		err := c.readErr
		c.mu.Unlock()
		if err != nil {
			return protocol.Message{}, err
		}
		select {
		case <-c.notify:
		case <-timer.C:
			return protocol.Message{}, ErrTimeout
		}
	}
}

// Await returns the first message for which match reports true, taking
// (and observing) every message before it; a match error ends the wait.
// timeout bounds the whole wait.
func (c *Client) Await(timeout time.Duration, match func(protocol.Message) (bool, error)) (protocol.Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		m, err := c.Next(time.Until(deadline))
		if err != nil {
			return m, err
		}
		ok, err := match(m)
		if err != nil || ok {
			return m, err
		}
	}
}

// AwaitSeq takes messages until the replica has reached seq.
func (c *Client) AwaitSeq(seq int64, timeout time.Duration) error {
	if c.Replica.State.Seq >= seq {
		return nil
	}
	_, err := c.Await(timeout, func(protocol.Message) (bool, error) { return c.Replica.State.Seq >= seq, nil })
	if err != nil {
		return fmt.Errorf("awaiting seq %d (at %d): %w", seq, c.Replica.State.Seq, err)
	}
	return nil
}

// AwaitClose takes messages until the connection ends and returns the
// close code the server sent (websocket.CloseAbnormalClosure if none).
func (c *Client) AwaitClose(timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		_, err := c.Next(time.Until(deadline))
		if err == nil {
			continue
		}
		if errors.Is(err, ErrTimeout) {
			return 0, err
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, nil
		}
		return websocket.CloseAbnormalClosure, nil
	}
}

// Close sends a normal close frame and closes the connection.
func (c *Client) Close() {
	c.wmu.Lock()
	c.Conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.Conn.Close()
}

// Drop closes the TCP connection without a close frame, as a network
// failure or a closed laptop would.
func (c *Client) Drop() { c.Conn.Close() }

func (c *Client) read() {
	for {
		_, data, err := c.Conn.ReadMessage()
		var m protocol.Message
		if err == nil {
			if jerr := json.Unmarshal(data, &m); jerr != nil {
				err = fmt.Errorf("synctest: undecodable message %q: %w", data, jerr)
			}
		}
		c.mu.Lock()
		if err != nil {
			c.readErr = err
		} else {
			c.queue = append(c.queue, m)
		}
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}
