// Schema of the SQLite store: an ordered list of migrations, and the code that applies them.
//
// PRAGMA user_version holds the number of migrations applied; migration N (1-based) brings a
// store from version N-1 to N, in one transaction of its own. A migration, once released, is
// never edited: a change is a new migration appended to the list. A store written by a newer
// nightshift (a higher user_version) is refused rather than misread. PRAGMA application_id marks
// the file as a nightshift store.
// Thread-safety: none; called while opening a store, before anyone else uses the connection.
#pragma once

#include "store/sqlite_db.h"
#include "util/status.h"

namespace nightshift::store {

// "nsht": the application_id of a nightshift store.
inline constexpr int kApplicationId = 0x6E736874;

// The version this binary writes: the number of migrations it knows.
int LatestSchemaVersion();

// Brings the store open on `db` to LatestSchemaVersion(), creating it if empty.
// Errors: kConflict when the file is not a nightshift store or its schema version is newer than
// LatestSchemaVersion() ("store schema version N is newer than this nightshift (M); upgrade
// nightshift"); otherwise as SqliteStatus. A failed migration leaves the store at the version
// before it.
Status MigrateSchema(Database& db);

// As MigrateSchema, but stops at `version`: what a nightshift that knew only the first `version`
// migrations would have created. For tests of migrations. A store already past `version` is left
// as it is. Errors: as MigrateSchema; kInvalidArgument for a version this binary does not know.
Status MigrateSchemaTo(Database& db, int version);

}  // namespace nightshift::store
