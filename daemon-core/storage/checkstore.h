#pragma once

#include "daemon-core/storage/entitystore.h"
#include "shared/domain/check.h"

namespace prophasis {

class CheckStore : public EntityStore<Check>
{
public:
    explicit CheckStore(Database &db);

protected:
    QList<Column> columns(const Check &check) const override;
    void readRow(const QSqlQuery &row, Check &check) const override;
    void readChildren(QHash<QUuid, Check *> &byId) override;
    void writeChildren(const Check &check) override;
    QList<std::pair<QString, QString>> childTables() const override;
    void checkRules(const Check &check) override;
};

class ScheduleStore : public EntityStore<Schedule>
{
public:
    explicit ScheduleStore(Database &db);

protected:
    QList<Column> columns(const Schedule &schedule) const override;
    void readRow(const QSqlQuery &row, Schedule &schedule) const override;
    void readChildren(QHash<QUuid, Schedule *> &byId) override;
    void writeChildren(const Schedule &schedule) override;
    QList<std::pair<QString, QString>> childTables() const override;
    void checkRules(const Schedule &schedule) override;
};

} // namespace prophasis
