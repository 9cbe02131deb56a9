// Command landreg is the industrial land registry: one binary for the server, the
// private database cluster, migrations and demo data.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	root := &cobra.Command{
		Use:   "landreg",
		Short: "工业用地登记 landreg: industrial block lines, parcels and idle land over PostGIS",
		Long: `landreg serves industrial block lines (工业区块线), parcels (宗地) and idle-land status
as OGC API – Features over PostgreSQL/PostGIS.

Without DATABASE_URL it runs a private PostgreSQL + PostGIS cluster under --data-dir.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(), migrateCmd(), fixturesCmd(), dbCmd(), tokenCmd(), auditCmd(), districtCmd(), versionCmd())
	root.AddCommand(exchangeCmds()...)
	root.AddCommand(targetCmd(), transferCmd(), remediationCmd(), mujunClassesCmd())
	if err := root.Execute(); err != nil {
		// One line, so scripts and people see the cause at once.
		fmt.Fprintln(os.Stderr, "landreg: "+strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "landreg", version)
		},
	}
}
