package main

// FerretDB v1.24's SQLite backend creates each collection's _id index on the
// expression _ferretdb_sjson->"_id" but looks documents up with
// _ferretdb_sjson->'$._id'. SQLite matches index expressions by their text,
// so every update, delete and findAndModify by _id scans the whole table and
// parses every document's JSON. keepIDIndexes adds, to every collection
// table, an index on exactly the expression the lookups use. FerretDB does
// not know about it (its listIndexes reads its own metadata), and DROP TABLE
// removes it with the table. See "FerretDB v1 pitfalls" in docs/operations.md.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// idIndexSuffix names the extra index: "<table>_lw_id".
const idIndexSuffix = "_lw_id"

// keepIDIndexes adds the missing indexes in dir's databases every interval
// until ctx is done.
func keepIDIndexes(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	failed := map[string]bool{}
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			err := addIDIndexes(ctx, f)
			if err != nil && !failed[f] {
				logger.Warn("adding _id lookup indexes", "file", f, "error", err)
			}
			failed[f] = err != nil
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// addIDIndexes creates the lookup index on every collection table of one
// database file that lacks it. The file is opened read-write without create,
// so a database FerretDB just dropped is not brought back.
func addIDIndexes(ctx context.Context, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m
		WHERE m.type = 'index' AND m.name = c.table_name || ?)`, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // a database FerretDB has not set up yet
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err = rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`,
			t+idIndexSuffix, t)
		if _, err = db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}
