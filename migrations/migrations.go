// Package migrations embeds the SQL schema, one numbered file per version
// and one folder per dialect. Both folders carry the same versions.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
