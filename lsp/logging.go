package lsp

import (
	"context"
	"fmt"
	"log"
	"sync"

	"go.lsp.dev/protocol"
)

// logLevel is a log line's severity, as window/logMessage has it.
type logLevel int

const (
	levelError   logLevel = logLevel(protocol.MessageTypeError)
	levelWarning logLevel = logLevel(protocol.MessageTypeWarning)
	levelInfo    logLevel = logLevel(protocol.MessageTypeInfo)
	levelLog     logLevel = logLevel(protocol.MessageTypeLog) // routine: timings, skipped changes
)

func (l logLevel) String() string {
	switch l {
	case levelError:
		return "error"
	case levelWarning:
		return "warning"
	case levelInfo:
		return "info"
	}
	return "log"
}

// logger sends the server's log to the client as window/logMessage
// notifications (which clients show in their log, at the line's level,
// rather than as errors the way they show stderr), and copies it to
// Options.Log when one is given (pipec lsp --log FILE, or -v for stderr).
type logger struct {
	mu   sync.Mutex
	out  *log.Logger // nil: no copy
	send func(protocol.MessageType, string)
}

// logf logs one line at a level.
func (s *Server) logf(level logLevel, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.logger.mu.Lock()
	out, send := s.logger.out, s.logger.send
	s.logger.mu.Unlock()
	if out != nil {
		out.Printf("[%s] %s", level, msg)
	}
	if send != nil {
		send(protocol.MessageType(level), msg)
	}
}

// startClientLog begins sending log lines to the client.
func (s *Server) startClientLog(ctx context.Context) {
	s.logger.mu.Lock()
	defer s.logger.mu.Unlock()
	conn := s.conn
	s.logger.send = func(t protocol.MessageType, msg string) {
		// Best effort: a client that has gone cannot be told.
		_ = conn.Notify(ctx, protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: t, Message: msg})
	}
}

// stopClientLog stops sending log lines to the client (the connection is
// closing).
func (s *Server) stopClientLog() {
	s.logger.mu.Lock()
	s.logger.send = nil
	s.logger.mu.Unlock()
}
