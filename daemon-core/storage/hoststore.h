#pragma once

#include "daemon-core/storage/entitystore.h"
#include "shared/domain/host.h"

namespace prophasis {

class HostStore : public EntityStore<Host>
{
public:
    explicit HostStore(Database &db);

protected:
    QList<Column> columns(const Host &host) const override;
    void readRow(const QSqlQuery &row, Host &host) const override;
    void readChildren(QHash<QUuid, Host *> &) override {}
    void writeChildren(const Host &) override {}
    QList<std::pair<QString, QString>> childTables() const override { return {}; }
    void checkRules(const Host &host) override;
};

// Groups nest; a save that would make a group contain itself is refused, checked inside the
// write transaction so two admins cannot build a cycle between them.
class HostGroupStore : public EntityStore<HostGroup>
{
public:
    explicit HostGroupStore(Database &db);

protected:
    QList<Column> columns(const HostGroup &group) const override;
    void readRow(const QSqlQuery &row, HostGroup &group) const override;
    void readChildren(QHash<QUuid, HostGroup *> &byId) override;
    void writeChildren(const HostGroup &group) override;
    QList<std::pair<QString, QString>> childTables() const override;
    void checkRules(const HostGroup &group) override;
};

} // namespace prophasis
