// Command composecheck loads Lectern's production Compose files the way `docker compose` does —
// schema validation, interpolation from an env file, profiles from COMPOSE_PROFILES, override
// merging and consistency checks — without a Docker engine, and prints the resulting services.
//
//	composecheck [-env-file deploy/env.production.example] [-json] [compose files...]
//
// With no files it loads docker-compose.yml and docker-compose.prod.yml from the project
// directory. Service names are printed one per line, sorted; -json prints the whole resolved
// project instead. Any error exits non-zero.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
}

func run() error {
	projectDir := flag.String("project-dir", ".", "project directory (where the compose files and .env live)")
	envFile := flag.String("env-file", "deploy/env.production.example", "env file used for interpolation, as `docker compose --env-file`")
	asJSON := flag.Bool("json", false, "print the resolved project as JSON instead of the service names")
	flag.Parse()

	files := flag.Args()
	if len(files) == 0 {
		files = []string{"docker-compose.yml", "docker-compose.prod.yml"}
	}
	dir, err := filepath.Abs(*projectDir)
	if err != nil {
		return err
	}
	for i, f := range files {
		if !filepath.IsAbs(f) {
			files[i] = filepath.Join(dir, f)
		}
	}
	env := *envFile
	if !filepath.IsAbs(env) {
		env = filepath.Join(dir, env)
	}

	options, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(dir),
		cli.WithName("lectern"),
		// Only the env file feeds interpolation: the caller's shell must not hide a variable
		// the example forgets.
		cli.WithEnvFiles(env),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(),
		// Services read the operator's `.env` through env_file; it does not exist here and its
		// content is the same file we interpolate with, so do not load it into the services.
		cli.WithoutEnvironmentResolution,
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	if len(project.Services) == 0 {
		return fmt.Errorf("no services defined")
	}

	if *asJSON {
		out, err := project.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = fmt.Println(string(out))
		return err
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		fmt.Println(name)
	}
	return nil
}
