package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestAddIDIndexes builds a database file shaped like FerretDB's (its
// metadata table, a collection table, the _id index FerretDB creates) and
// checks that addIDIndexes makes a lookup by '$._id' use an index, adds it
// once, and does not create a file that does not exist.
func TestAddIDIndexes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "lw.sqlite")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE _ferretdb_collections (name TEXT, table_name TEXT, settings TEXT)`,
		`INSERT INTO _ferretdb_collections VALUES ('engagements', 'engagements_1234', '{}')`,
		`CREATE TABLE "engagements_1234" (_ferretdb_sjson TEXT NOT NULL CHECK(_ferretdb_sjson != '')) STRICT`,
		`CREATE UNIQUE INDEX "engagements_1234__id_" ON "engagements_1234" (_ferretdb_sjson->"_id")`,
		`INSERT INTO "engagements_1234" VALUES ('{"_id":"a"}'), ('{"_id":"b"}')`,
	} {
		if _, err = db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const lookup = `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "engagements_1234" WHERE _ferretdb_sjson->'$._id' = ?`
	plan := func() string {
		var id, parent, unused int
		var detail string
		if err := db.QueryRowContext(ctx, lookup, `"a"`).Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		return detail
	}
	if p := plan(); !strings.HasPrefix(p, "SCAN") {
		t.Fatalf("before: FerretDB's own index should not serve the lookup, plan %q", p)
	}
	for i := 0; i < 2; i++ {
		if err = addIDIndexes(ctx, file); err != nil {
			t.Fatal(err)
		}
	}
	// EXPLAIN reads no table, so it would plan with this connection's cached
	// schema; a real statement (like FerretDB's lookups) notices the change
	var n int
	if err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%_lw_id'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("lw_id indexes: %d, %v", n, err)
	}
	if p := plan(); !strings.Contains(p, "USING INDEX engagements_1234_lw_id") {
		t.Fatalf("after: plan %q", p)
	}

	gone := filepath.Join(dir, "dropped.sqlite")
	if err = addIDIndexes(ctx, gone); err == nil {
		t.Fatal("a missing file should be an error, not created")
	}
	if m, _ := filepath.Glob(gone); len(m) != 0 {
		t.Fatal("addIDIndexes created a database file")
	}
}
