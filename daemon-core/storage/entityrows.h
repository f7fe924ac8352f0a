#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QUuid>

#include "shared/domain/entity.h"
#include "shared/domain/fielderrors.h"

namespace prophasis {

class Database;

// The steps every versioned configuration table shares: version checks, unique names,
// references that must exist, deletes. `table` and `label` ("hosts", "host") come from our own
// code, never from input.
class EntityRows
{
public:
    EntityRows(Database &db, QString table, QString label);

    // Gives a new object its id (unless the caller chose one) and version 1.
    void prepareCreate(Entity &entity) const;
    // Raises the stored version from entity.version to entity.version + 1 and updates
    // entity.version; throws NotFound or Conflict (someone saved in between).
    void bumpVersion(Entity &entity, qint64 nowMs) const;
    void remove(const QUuid &id) const;
    bool exists(const QUuid &id) const;

    // Throws Duplicate when another row has this name (case-insensitively).
    void requireUniqueName(const QString &column, const QString &name, const QUuid &self,
                           const QString &field = QStringLiteral("name")) const;
    // Throws MissingReference naming the first id that is not in `table`.
    static void requireExisting(Database &db, const QString &table, const QString &label,
                                const QList<QUuid> &ids, const QString &field);
    // Throws Invalid naming the objects of `cycle` (ids of this table) when it is not empty.
    void refuseCycle(const QList<QUuid> &cycle, const QString &field) const;
    // Throws Invalid with every problem when the object breaks its own rules.
    static void requireValid(const FieldErrors &errors);

    // Deletes the child rows of `id` in `childTable` (its parent column is `parentColumn`),
    // before writing the new ones.
    void clearChildren(const QString &childTable, const QString &parentColumn, const QUuid &id) const;

private:
    Database &m_db;
    QString m_table;
    QString m_label;
};

// Milliseconds now; one clock for created/updated stamps.
qint64 nowMs();

} // namespace prophasis
