#pragma once

#include "daemon-core/storage/entitystore.h"
#include "shared/domain/service.h"

namespace prophasis {

// Services nest; a save that would make a service contain itself is refused inside the write
// transaction.
class ServiceStore : public EntityStore<Service>
{
public:
    explicit ServiceStore(Database &db);

protected:
    QList<Column> columns(const Service &service) const override;
    void readRow(const QSqlQuery &row, Service &service) const override;
    void readChildren(QHash<QUuid, Service *> &byId) override;
    void writeChildren(const Service &service) override;
    QList<std::pair<QString, QString>> childTables() const override;
    void checkRules(const Service &service) override;

private:
    void insertMember(const QUuid &serviceId, int groupPosition, int position, const ServiceMember &member);
};

} // namespace prophasis
