// Command egress runs LiveKit Egress v1.8.6 for Lectern: the recording service, and the
// `egress run-handler` children the service starts for each recording.
//
//	egress --config egress.yaml          run the service (or EGRESS_CONFIG_FILE / EGRESS_CONFIG_BODY)
//	egress run-handler --config <yaml> --request <json>
//
// Upstream's cmd/server embeds a generated templates folder that its module zip lacks, so
// `go install github.com/livekit/egress/cmd/server` cannot work; this wrapper wires the same
// packages itself. Lectern always passes its own layout as custom_base_url, so the built-in
// template server only serves a placeholder page.
package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/livekit/egress/pkg/config"
	"github.com/livekit/egress/pkg/handler"
	"github.com/livekit/egress/pkg/server"
	"github.com/livekit/egress/pkg/service"
	"github.com/livekit/egress/version"
	"github.com/livekit/protocol/logger"
	lkredis "github.com/livekit/protocol/redis"
	"github.com/livekit/protocol/rpc"
	"github.com/livekit/psrpc"
)

//go:embed templates
var templates embed.FS

var errNoConfig = errors.New("no config: pass --config, or set EGRESS_CONFIG_FILE or EGRESS_CONFIG_BODY")

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "run-handler" {
		err = runHandler(os.Args[2:])
	} else {
		err = runService(os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "egress:", err)
		os.Exit(1)
	}
}

func runService(args []string) error {
	flags := flag.NewFlagSet("egress", flag.ExitOnError)
	configFile := flags.String("config", os.Getenv("EGRESS_CONFIG_FILE"), "egress YAML config file")
	configBody := flags.String("config-body", os.Getenv("EGRESS_CONFIG_BODY"), "egress YAML config body")
	showVersion := flags.Bool("version", false, "print the egress version")
	_ = flags.Parse(args)
	if *showVersion {
		fmt.Println(version.Version)
		return nil
	}

	body := *configBody
	if body == "" {
		if *configFile == "" {
			return errNoConfig
		}
		content, err := os.ReadFile(*configFile)
		if err != nil {
			return err
		}
		body = string(content)
	}

	conf, err := config.NewServiceConfig(body)
	if err != nil {
		return err
	}
	rc, err := lkredis.GetRedisClient(conf.Redis)
	if err != nil {
		return err
	}
	bus := psrpc.NewRedisMessageBus(rc)
	ioClient, err := service.NewIOClient(bus)
	if err != nil {
		return err
	}
	svc, err := server.NewServer(conf, bus, ioClient)
	if err != nil {
		return err
	}

	if conf.HealthPort != 0 {
		go func() {
			addr := fmt.Sprintf("127.0.0.1:%d", conf.HealthPort)
			_ = http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				status, err := svc.Status()
				if err != nil {
					logger.Errorw("failed to read status", err)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(status)
			}))
		}()
	}

	// SIGTERM/SIGQUIT let running recordings finish; SIGINT stops them now.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGQUIT)
	kill := make(chan os.Signal, 1)
	signal.Notify(kill, syscall.SIGINT)
	go func() {
		select {
		case sig := <-stop:
			logger.Infow("exit requested, finishing recordings then shutting down", "signal", sig)
			svc.Shutdown(true, false)
		case sig := <-kill:
			logger.Infow("exit requested, stopping recordings and shutting down", "signal", sig)
			svc.Shutdown(true, true)
		}
	}()

	placeholder, err := fs.Sub(templates, "templates")
	if err != nil {
		return err
	}
	if err := svc.StartTemplatesServer(placeholder); err != nil {
		return err
	}
	return svc.Run()
}

func runHandler(args []string) error {
	flags := flag.NewFlagSet("run-handler", flag.ExitOnError)
	configBody := flags.String("config", "", "pipeline YAML config body")
	request := flags.String("request", "", "StartEgressRequest as protobuf JSON")
	_ = flags.Parse(args)
	if *configBody == "" {
		return errNoConfig
	}

	req := &rpc.StartEgressRequest{}
	if err := protojson.Unmarshal([]byte(*request), req); err != nil {
		return err
	}
	conf, err := config.NewPipelineConfig(*configBody, req)
	if err != nil {
		return err
	}
	logger.Debugw("handler launched")

	if err := os.MkdirAll(conf.TmpDir, 0o755); err != nil {
		return err
	}
	_ = os.Setenv("TMPDIR", conf.TmpDir)

	rc, err := lkredis.GetRedisClient(conf.Redis)
	if err != nil {
		return err
	}
	kill := make(chan os.Signal, 1)
	signal.Notify(kill, syscall.SIGINT)

	bus := psrpc.NewRedisMessageBus(rc)
	h, err := handler.NewHandler(conf, bus)
	if err != nil {
		// the service sees the process end and reports the egress as failed
		logger.Errorw("failed to create handler", err)
		return err
	}
	go func() {
		sig := <-kill
		logger.Infow("exit requested, stopping recording and shutting down", "signal", sig)
		h.Kill()
	}()
	h.Run()
	return nil
}
