#pragma once

#include "daemon-core/configio/importplan.h"

namespace prophasis {

struct ImportResult
{
    bool applied = false; // false: the plan had errors and nothing was written
    FieldErrors errors;
    QList<ImportChange> done; // creates, updates and deletes, in the order written

    // {"applied", "errors": [...], "done": [...]}
    QJsonObject toJson() const;
};

// Imports `document` in one transaction, all or nothing: plans it again inside the
// transaction (so it checks what it writes), then deletes (with `replace`, in reverse
// dependency order) and writes plugins, hosts, groups, checks, schedules, services, alerts
// through the stores, which raise versions. Existing alerts keep their secrets. Returns the
// plan's errors without writing when it has any; rethrows a StorageError after rolling back.
ImportResult applyImport(Database &db, const SecretBox &secrets, const QJsonObject &document,
                         const ImportOptions &options = {});

} // namespace prophasis
