// Index pushdown for FerretDB v1's SQLite backend, compiled into the embedded
// database from a patched copy of FerretDB's module (see tools/db/local-db.ts).
//
// FerretDB 1.24 pushes only a filter of exactly {_id: <value>} down to SQLite,
// so not {_id, status} (a conditional update by _id). Any other query reads
// and decodes the whole collection in Go: a lookup by `clerkId` costs
// O(collection) although a unique index on it exists, and with 100,000 users
// one webhook write took seconds. This pushes down `_id` equality within any
// filter, and equality or `$in` on plain strings for indexed top-level fields,
// so SQLite answers such lookups from the indexes FerretDB already created.
// (That `_id` lookups use their index at all is the other half of the patch,
// in tools/db/local-db.ts.)
//
// FerretDB filters every returned document again with MongoDB semantics, so a
// pushed-down clause only has to never exclude a match. It therefore keeps
// documents whose field is an array (MongoDB equality also matches an element
// of an array), and applies only to values whose JSON text cannot differ
// between Go's encoder and SQLite's.

package sqlite

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

var (
	plainFieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	plainString    = regexp.MustCompile(`^[A-Za-z0-9_.:@+\-]{1,512}$`)
)

// plainStrings returns the strings an equality (`"x"`) or `{$in: ["x", "y"]}`
// condition compares with, or nil when the condition is anything else.
func plainStrings(value any) []string {
	switch v := value.(type) {
	case string:
		if plainString.MatchString(v) {
			return []string{v}
		}
	case *types.Document:
		if v.Len() != 1 {
			return nil
		}
		in, _ := v.Get("$in")
		array, ok := in.(*types.Array)
		if !ok || array.Len() == 0 || array.Len() > 5000 {
			return nil
		}
		values := make([]string, 0, array.Len())
		for i := range array.Len() {
			s, ok := must.NotFail(array.Get(i)).(string)
			if !ok || !plainString.MatchString(s) {
				return nil
			}
			values = append(values, s)
		}
		return values
	}
	return nil
}

// pushdownWhere returns a WHERE clause (with its arguments) that selects a
// superset of the documents matching filter, or "" when nothing can be pushed.
func pushdownWhere(meta *metadata.Collection, filter *types.Document) (string, []any) {
	if filter == nil {
		return "", nil
	}

	indexed := map[string]bool{}
	for _, index := range meta.Settings.Indexes {
		if len(index.Key) > 0 {
			indexed[index.Key[0].Field] = true
		}
	}

	var conditions []string
	var args []any

	for _, key := range filter.Keys() {
		if key == "_id" {
			// FerretDB's own pushdown, also when the filter has other conditions (an _id is never an array).
			switch v := must.NotFail(filter.Get(key)).(type) {
			case string, types.ObjectID:
				conditions = append(conditions, metadata.IDColumn+" = ?")
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
			}
			continue
		}
		if !indexed[key] || !plainFieldName.MatchString(key) {
			continue
		}

		value, _ := filter.Get(key)
		values := plainStrings(value)
		if len(values) == 0 {
			continue
		}

		// The same expression as the index (see metadata.Registry.indexesCreate), or SQLite would not use it.
		column := fmt.Sprintf("%s->%q", metadata.DefaultColumn, key)
		placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")
		// JSON text of an array starts with '['; the next byte is '\'. SQLite serves
		// both branches from the index ("MULTI-INDEX OR").
		conditions = append(conditions, fmt.Sprintf(`(%[1]s IN (%[2]s) OR (%[1]s >= '[' AND %[1]s < '\'))`, column, placeholders))
		for _, v := range values {
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
		}
	}

	if len(conditions) == 0 {
		return "", nil
	}

	return " WHERE " + strings.Join(conditions, " AND "), args
}
