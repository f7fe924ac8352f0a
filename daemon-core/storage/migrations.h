#pragma once

#include <QList>
#include <QString>

namespace prophasis {

class Database;

struct Migration
{
    int version;
    QString description;
    QString resource; // SQL file in the Qt resources, with dialect placeholders
    // Data the script cannot move itself, run after it in the same transaction.
    void (*convert)(Database &db) = nullptr;
};

// Every schema change, in order. Append only; never edit a released migration.
const QList<Migration> &migrations();
int latestSchemaVersion();

// 0 for an empty database.
int schemaVersion(Database &db);

// Brings the database to latestSchemaVersion(), one transaction per migration. Safe to run from
// several processes at once (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
// Refuses a database whose schema is newer than this program knows.
void migrate(Database &db);
// Stops at `targetVersion` (tests of an upgrade start from an older schema).
void migrate(Database &db, int targetVersion);

} // namespace prophasis
