// Command ferretdb runs FerretDB v1 (MongoDB wire protocol over SQLite or
// PostgreSQL) as the project's embedded local/CI database.
//
// It wraps FerretDB's embeddable package instead of installing cmd/ferretdb:
// a module-proxy build of cmd/ferretdb panics for want of a version.txt that
// only FerretDB's release tooling writes. The embeddable package also turns
// telemetry off by construction, so this binary never calls out.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URI (sqlite handler)")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL (postgresql handler)")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Printf("FerretDB (embedded) compatible with MongoDB %s\n", version.Get().MongoDBVersion)
		return
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "invalid --log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB itself listens on a private loopback port behind the gate.
	public, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
	private, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
	backendAddr := private.Addr().String()
	private.Close()

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: backendAddr},
		Logger:        logger,
		Handler:       *handler,
		SQLiteURL:     *sqliteURL,
		PostgreSQLURL: *postgresURL,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	g := &gate{logger: logger}
	go func() {
		if err := g.serve(public, backendAddr); err != nil && ctx.Err() == nil {
			logger.Error("gate stopped", "err", err)
			stop()
		}
	}()
	go func() {
		<-ctx.Done()
		public.Close()
	}()

	if err := server.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}
