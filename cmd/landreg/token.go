package main

import (
	"github.com/landreg/landreg"

	"context"
	"fmt"
	"text/tabwriter"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg/migrations"
	"github.com/landreg/landreg/store"
)

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "API tokens for planners, registrars, auditors and admins"}
	var db dbFlags
	var role, name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a token and print it once (only its hash is stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch role {
			case landreg.RolePlanner, landreg.RoleRegistrar, landreg.RoleAuditor, landreg.RoleAdmin:
			default:
				return fmt.Errorf("--role must be planner, registrar, auditor or admin, got %q", role)
			}
			if name == "" {
				return fmt.Errorf("--name is required: it is recorded as the actor of every write")
			}
			return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if _, err := migrations.Up(ctx, pool); err != nil {
					return err
				}
				secret, err := store.CreateToken(ctx, pool, name, role)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), secret)
				fmt.Fprintf(cmd.ErrOrStderr(), "token for %s (%s): use it as 'Authorization: Bearer <token>'; it is not shown again\n", name, role)
				return nil
			})
		},
	}
	create.Flags().StringVar(&role, "role", "", "planner | registrar | auditor | admin")
	create.Flags().StringVar(&name, "name", "", "who uses the token (recorded as actor)")
	db.register(create)

	var ldb dbFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (names and roles, never secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var tokens []store.Token
			err := ldb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) (err error) {
				tokens, err = store.ListTokens(ctx, pool)
				return err
			})
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tROLE\tCREATED\tREVOKED")
			for _, t := range tokens {
				revoked := ""
				if t.RevokedAt != nil {
					revoked = t.RevokedAt.Format("2006-01-02 15:04")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Name, t.Role, t.CreatedAt.Format("2006-01-02 15:04"), revoked)
			}
			return w.Flush()
		},
	}
	ldb.register(list)

	var rdb dbFlags
	revoke := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a token by name",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return rdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if err := store.RevokeToken(ctx, pool, args[0]); err != nil {
					return fmt.Errorf("revoke %s: %w", args[0], err)
				}
				return nil
			})
		},
	}
	rdb.register(revoke)
	cmd.AddCommand(create, list, revoke)
	return cmd
}
