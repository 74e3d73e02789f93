package main

// FerretDB v1 applies update, findAndModify and delete commands as "query,
// then write back" in separate steps, so two concurrent conditional updates of
// one document can both match and the later write silently loses the other
// (a lost update). MongoDB guarantees single-document atomicity, and the app
// relies on it for its order guard. The gate restores that guarantee for the
// embedded database: it sits in front of FerretDB on the public port and lets
// one write command at a time through, releasing the next once the reply to
// the previous one has come back. Reads pass through untouched.

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
)

const (
	opMsg          = 2013
	flagMoreToCome = 1 << 1
)

var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true,
	"findandmodify": true, "createIndexes": true, "dropIndexes": true,
}

// gate serialises write commands across all client connections.
type gate struct {
	mu     sync.Mutex
	logger *slog.Logger
}

func (g *gate) serve(l net.Listener, backendAddr string) error {
	for {
		client, err := l.Accept()
		if err != nil {
			return err
		}
		go g.handle(client, backendAddr)
	}
}

func (g *gate) handle(client net.Conn, backendAddr string) {
	defer client.Close()
	backend, err := net.Dial("tcp", backendAddr)
	if err != nil {
		g.logger.Error("gate: cannot reach ferretdb", "err", err)
		return
	}
	defer backend.Close()

	// pending holds the request id of the write this connection is waiting on;
	// the reply carrying it as responseTo releases the gate.
	pending := make(chan int32, 1)
	done := make(chan struct{})

	go func() {
		defer close(done)
		g.pipeReplies(backend, client, pending)
	}()

	g.pipeRequests(client, backend, pending)
	backend.Close()
	<-done
}

func (g *gate) pipeRequests(client io.Reader, backend io.Writer, pending chan int32) {
	for {
		msg, err := readMessage(client)
		if err != nil {
			return
		}
		requestID := int32(binary.LittleEndian.Uint32(msg[4:8]))
		isWrite := isAcknowledgedWrite(msg)
		if isWrite {
			g.mu.Lock()
			pending <- requestID
		}
		if _, err := backend.Write(msg); err != nil {
			if isWrite {
				<-pending
				g.mu.Unlock()
			}
			return
		}
	}
}

func (g *gate) pipeReplies(backend io.Reader, client io.Writer, pending chan int32) {
	defer func() {
		// the connection died with a write in flight: let the others go on
		select {
		case <-pending:
			g.mu.Unlock()
		default:
		}
	}()
	for {
		msg, err := readMessage(backend)
		if err != nil {
			return
		}
		responseTo := int32(binary.LittleEndian.Uint32(msg[8:12]))
		select {
		case id := <-pending:
			if id == responseTo {
				g.mu.Unlock()
			} else {
				pending <- id
			}
		default:
		}
		if _, err := client.Write(msg); err != nil {
			return
		}
	}
}

// readMessage reads one whole wire-protocol message (header included).
func readMessage(r io.Reader) ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	length := int(binary.LittleEndian.Uint32(header[:]))
	if length < 16 || length > 64<<20 {
		return nil, errors.New("invalid message length")
	}
	msg := make([]byte, length)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// isAcknowledgedWrite reports whether msg is an OP_MSG whose command (the
// first key of its body section) writes, and which expects a reply.
func isAcknowledgedWrite(msg []byte) bool {
	// header(16) flagBits(4) kind(1) docLength(4) elementType(1) name...
	if len(msg) < 27 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return false
	}
	if binary.LittleEndian.Uint32(msg[16:20])&flagMoreToCome != 0 || msg[20] != 0 {
		return false
	}
	name := msg[26:]
	for i, b := range name {
		if b == 0 {
			return writeCommands[string(name[:i])]
		}
	}
	return false
}
