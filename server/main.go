// Command gloss is the Gloss server and its command-line tools; package
// cli holds them. Run "gloss help" for the list of commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"gloss/server/internal/cli"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	err := cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, Version)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gloss:", err)
		os.Exit(1)
	}
}
