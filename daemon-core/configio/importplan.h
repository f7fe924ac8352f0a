#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include "shared/domain/configuration.h"
#include "shared/domain/fielderrors.h"

namespace prophasis {

class Database;
class SecretBox;

enum class ImportAction
{
    Create,
    Update,
    Unchanged,
    Delete,
};

// One object an import touches (or would touch).
struct ImportChange
{
    QString kind; // the document key: "hosts", "host_groups", …
    QUuid id;
    QString name;
    ImportAction action = ImportAction::Create;
    QStringList fields; // Update: the top-level keys whose value changes
    // Alerts: secrets the document lists under "secrets_set" that this core does not have.
    // Exports carry no secret values, so an admin sets these after the import.
    QStringList secretsToSet;
};

struct ImportOptions
{
    // Delete the objects of the database that the document does not list. Without it they are
    // only listed as delete candidates, and the document may refer to them.
    bool replace = false;
};

// What importing a configuration document would do; planImport() alone is the dry run.
struct ImportPlan
{
    ImportOptions options;
    Configuration stored;                 // the database's configuration when planned
    Configuration incoming;               // the document's objects, parsed; alerts keep their stored secrets
    QList<ImportChange> changes;          // create, update, unchanged: kinds in dependency order
    QList<ImportChange> deleteCandidates; // in the database, not in the document
    // Per object, with dotted paths into the document: "hosts.3.name: must not be empty".
    FieldErrors errors;

    bool isValid() const { return errors.isEmpty(); }
    // The groups and services after the import: the document's, plus the database's others
    // unless `replace` deletes them. What cycles and the nesting order are computed on.
    QHash<QUuid, HostGroup> finalGroups() const;
    QHash<QUuid, Service> finalServices() const;
    // {"valid", "replace", "errors": [{"field", "message"}], "changes": [...],
    //  "delete_candidates": [...]}: the dry run's answer.
    QJsonObject toJson() const;
};

// Parses and checks `document` against the database: format and version, each object's own
// rules, names unique per kind (an object of the database with the same name and another UUID
// is an error), references resolved in the document or the database (the document only, with
// `replace`), no group or service cycles, every plugin package already on this core.
// Writes nothing.
ImportPlan planImport(Database &db, const SecretBox &secrets, const QJsonObject &document,
                      const ImportOptions &options = {});

QString actionName(ImportAction action);
QJsonObject toJson(const ImportChange &change);
QJsonArray changesToJson(const QList<ImportChange> &changes);
QJsonArray errorsToJson(const FieldErrors &errors); // [{"field", "message"}]

} // namespace prophasis
