#include "daemon-core/storage/entityrows.h"

#include <QHash>
#include <QSet>
#include <QSqlQuery>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

EntityRows::EntityRows(Database &db, QString table, QString label)
    : m_db(db)
    , m_table(std::move(table))
    , m_label(std::move(label))
{
}

void EntityRows::prepareCreate(Entity &entity) const
{
    if (entity.id.isNull())
        entity.id = QUuid::createUuid();
    else if (exists(entity.id))
        throw StorageError(StorageError::Kind::Duplicate,
                           QStringLiteral("a %1 with id %2 already exists").arg(m_label, entity.id.toString(QUuid::WithoutBraces)),
                           QStringLiteral("id"));
    entity.version = 1;
}

void EntityRows::bumpVersion(Entity &entity, qint64 now) const
{
    QSqlQuery query = m_db.exec(
        QStringLiteral("UPDATE %1 SET version = version + 1, updated_ms = ? WHERE id = ? AND version = ?").arg(m_table),
        {now, dbId(entity.id), entity.version});
    if (query.numRowsAffected() == 1) {
        ++entity.version;
        return;
    }
    if (!exists(entity.id))
        throw StorageError(StorageError::Kind::NotFound,
                           QStringLiteral("no %1 with id %2").arg(m_label, entity.id.toString(QUuid::WithoutBraces)));
    throw StorageError(StorageError::Kind::Conflict,
                       QStringLiteral("the %1 was changed by someone else since version %2: reload it and apply "
                                      "your change again")
                           .arg(m_label)
                           .arg(entity.version),
                       QStringLiteral("version"));
}

void EntityRows::remove(const QUuid &id) const
{
    QSqlQuery query = m_db.exec(QStringLiteral("DELETE FROM %1 WHERE id = ?").arg(m_table), {dbId(id)});
    if (query.numRowsAffected() == 0)
        throw StorageError(StorageError::Kind::NotFound,
                           QStringLiteral("no %1 with id %2").arg(m_label, id.toString(QUuid::WithoutBraces)));
}

bool EntityRows::exists(const QUuid &id) const
{
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT 1 FROM %1 WHERE id = ?").arg(m_table), {dbId(id)});
    return query.next();
}

void EntityRows::requireUniqueName(const QString &column, const QString &name, const QUuid &self,
                                   const QString &field) const
{
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT id FROM %1 WHERE lower(%2) = lower(?)").arg(m_table, column),
                                {name});
    while (query.next()) {
        if (idFromDb(query.value(0)) != self)
            throw StorageError(StorageError::Kind::Duplicate,
                               QStringLiteral("a %1 named '%2' already exists").arg(m_label, name), field);
    }
}

void EntityRows::requireExisting(Database &db, const QString &table, const QString &label, const QList<QUuid> &ids,
                                 const QString &field)
{
    if (ids.isEmpty())
        return;
    QVariantList values;
    for (const QUuid &id : ids)
        values.append(dbId(id));
    QSqlQuery query = db.exec(QStringLiteral("SELECT id FROM %1 WHERE id IN (%2)").arg(table, placeholders(ids.size())),
                              values);
    QSet<QUuid> found;
    while (query.next())
        found.insert(idFromDb(query.value(0)));
    for (const QUuid &id : ids) {
        if (!found.contains(id))
            throw StorageError(StorageError::Kind::MissingReference,
                               QStringLiteral("there is no %1 with id %2").arg(label, id.toString(QUuid::WithoutBraces)),
                               field);
    }
}

void EntityRows::refuseCycle(const QList<QUuid> &cycle, const QString &field) const
{
    if (cycle.isEmpty())
        return;
    QHash<QUuid, QString> names;
    QVariantList values;
    for (const QUuid &id : cycle)
        values.append(dbId(id));
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT id, name FROM %1 WHERE id IN (%2)").arg(m_table, placeholders(values.size())),
                                values);
    while (query.next())
        names.insert(idFromDb(query.value(0)), query.value(1).toString());
    QStringList path;
    for (const QUuid &id : cycle)
        path.append(names.value(id, QStringLiteral("the %1 being saved").arg(m_label)));
    throw StorageError(StorageError::Kind::Invalid,
                       QStringLiteral("this would make the %1 contain itself: %2").arg(m_label, path.join(QStringLiteral(" → "))),
                       field);
}

void EntityRows::requireValid(const FieldErrors &errors)
{
    if (!errors.isEmpty())
        throw StorageError(StorageError::Kind::Invalid, errors.summary(), errors.list().constFirst().field);
}

void EntityRows::clearChildren(const QString &childTable, const QString &parentColumn, const QUuid &id) const
{
    m_db.exec(QStringLiteral("DELETE FROM %1 WHERE %2 = ?").arg(childTable, parentColumn), {dbId(id)});
}

} // namespace prophasis
