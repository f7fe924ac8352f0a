#pragma once

#include <QHash>
#include <QSqlQuery>

#include <optional>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/entityrows.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

// Create, read, update and delete for one kind of versioned configuration object. A concrete
// store names its columns and child tables; the SQL, version checks and transactions are here,
// written once.
template <typename T>
class EntityStore
{
public:
    virtual ~EntityStore() = default;

    QList<T> list() { return select(QString(), {}); }

    std::optional<T> find(const QUuid &id) { return selectOne(QStringLiteral("id = ?"), {dbId(id)}); }

    // Throws NotFound.
    T get(const QUuid &id)
    {
        std::optional<T> entity = find(id);
        if (!entity)
            throw StorageError(StorageError::Kind::NotFound,
                               QStringLiteral("no %1 with id %2").arg(m_label, id.toString(QUuid::WithoutBraces)));
        return *entity;
    }

    // Stores a new object with a fresh id (unless it has one) and version 1.
    T create(T entity)
    {
        return m_db.transaction([&] {
            m_rows.prepareCreate(entity);
            checkRules(entity);
            const qint64 now = nowMs();
            QStringList names = {QStringLiteral("id"), QStringLiteral("version"), QStringLiteral("created_ms"),
                                 QStringLiteral("updated_ms")};
            QVariantList values = {dbId(entity.id), entity.version, now, now};
            for (const Column &column : columns(entity)) {
                names.append(column.name);
                values.append(column.value);
            }
            m_db.exec(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                          .arg(m_table, names.join(QStringLiteral(", ")), placeholders(values.size())),
                      values);
            writeChildren(entity);
            return entity;
        });
    }

    // Saves a change made to version entity.version; throws Conflict when the stored object
    // has moved on since, NotFound when it is gone. Returns the object with its new version.
    T update(T entity)
    {
        return m_db.transaction([&] {
            m_rows.bumpVersion(entity, nowMs());
            checkRules(entity);
            QStringList assignments;
            QVariantList values;
            for (const Column &column : columns(entity)) {
                assignments.append(column.name + QStringLiteral(" = ?"));
                values.append(column.value);
            }
            values.append(dbId(entity.id));
            m_db.exec(QStringLiteral("UPDATE %1 SET %2 WHERE id = ?").arg(m_table, assignments.join(QStringLiteral(", "))),
                      values);
            for (const auto &[childTable, parentColumn] : childTables())
                m_rows.clearChildren(childTable, parentColumn, entity.id);
            writeChildren(entity);
            return entity;
        });
    }

    // Deletes the object; its child rows and every reference to it go with it.
    void remove(const QUuid &id)
    {
        m_db.transaction([&] { m_rows.remove(id); });
    }

protected:
    struct Column
    {
        QString name;
        QVariant value;
    };

    EntityStore(Database &db, QString table, QString label, QString orderBy = QStringLiteral("lower(name)"))
        : m_db(db)
        , m_rows(db, table, label)
        , m_table(std::move(table))
        , m_label(std::move(label))
        , m_orderBy(std::move(orderBy))
    {
    }

    // The object's own columns, without id, version and time stamps.
    virtual QList<Column> columns(const T &entity) const = 0;
    // Reads those columns (by name) from a row of `SELECT * FROM table`.
    virtual void readRow(const QSqlQuery &row, T &entity) const = 0;
    // Fills the child collections of the loaded objects.
    virtual void readChildren(QHash<QUuid, T *> &byId) = 0;
    // Inserts the child rows of the object (the old ones are already cleared).
    virtual void writeChildren(const T &entity) = 0;
    // (child table, parent column) pairs cleared before writeChildren() on update.
    virtual QList<std::pair<QString, QString>> childTables() const = 0;
    // Throws Invalid, Duplicate or MissingReference when the object cannot be saved.
    virtual void checkRules(const T &entity) = 0;

    // Child rows of the loaded objects, ordered by parent and position: filtered to the one
    // parent when a single object is loaded, all rows otherwise (callers skip unknown parents).
    QSqlQuery selectChildren(const QString &sql, const QString &parentColumn, const QHash<QUuid, T *> &byId)
    {
        if (byId.size() == 1)
            return m_db.exec(sql + QStringLiteral(" WHERE %1 = ? ORDER BY position").arg(parentColumn),
                             {dbId(byId.constBegin().key())});
        return m_db.exec(sql + QStringLiteral(" ORDER BY %1, position").arg(parentColumn));
    }

    Database &m_db;
    EntityRows m_rows;

    // The objects matching an SQL condition on the table ("lower(username) = lower(?)"; empty:
    // all), with their children, in the store's order.
    QList<T> select(const QString &condition, const QVariantList &values)
    {
        QList<T> entities;
        const QString where = condition.isEmpty() ? QString() : QStringLiteral(" WHERE ") + condition;
        QSqlQuery row = m_db.exec(QStringLiteral("SELECT * FROM %1%2 ORDER BY %3, id").arg(m_table, where, m_orderBy), values);
        while (row.next()) {
            T entity;
            entity.id = idFromDb(row.value(QStringLiteral("id")));
            entity.version = row.value(QStringLiteral("version")).toLongLong();
            readRow(row, entity);
            entities.append(entity);
        }
        if (entities.isEmpty())
            return entities;
        QHash<QUuid, T *> byId;
        for (T &entity : entities)
            byId.insert(entity.id, &entity);
        readChildren(byId);
        return entities;
    }

    std::optional<T> selectOne(const QString &condition, const QVariantList &values)
    {
        QList<T> found = select(condition, values);
        if (found.isEmpty())
            return std::nullopt;
        return found.takeFirst();
    }

private:
    QString m_table;
    QString m_label;
    QString m_orderBy;
};

} // namespace prophasis
