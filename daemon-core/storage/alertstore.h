#pragma once

#include "daemon-core/storage/entitystore.h"
#include "daemon-core/storage/secretbox.h"
#include "shared/domain/alert.h"

namespace prophasis {

// Alerts with their scope and restrictions; module secrets are sealed by the SecretBox before
// they reach the database.
class AlertStore : public EntityStore<Alert>
{
public:
    AlertStore(Database &db, const SecretBox &secrets);

protected:
    QList<Column> columns(const Alert &alert) const override;
    void readRow(const QSqlQuery &row, Alert &alert) const override;
    void readChildren(QHash<QUuid, Alert *> &byId) override;
    void writeChildren(const Alert &alert) override;
    QList<std::pair<QString, QString>> childTables() const override;
    void checkRules(const Alert &alert) override;

private:
    const SecretBox &m_secrets;
};

} // namespace prophasis
