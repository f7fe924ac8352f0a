#include "daemon-core/storage/alertstore.h"

#include <QJsonDocument>
#include <QLoggingCategory>

#include "shared/domain/validation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcAlertStore, "prophasis.storage.alerts")

// The kinds of alert_refs rows and the column each sets.
struct RefKind
{
    const char *kind;
    const char *column;
    QList<QUuid> Alert::*list;           // for restrictions on the alert itself
    QList<QUuid> AlertScope::*scopeList; // for the scope
};

const std::array<RefKind, 5> &refKinds()
{
    static const std::array<RefKind, 5> kinds = {{
        {"host", "host_id", nullptr, &AlertScope::hostIds},
        {"host_group", "group_id", nullptr, &AlertScope::groupIds},
        {"service", "service_id", nullptr, &AlertScope::serviceIds},
        {"plugin", "plugin_id", &Alert::pluginIds, nullptr},
        {"check", "check_id", &Alert::checkIds, nullptr},
    }};
    return kinds;
}

QList<QUuid> &refList(Alert &alert, const RefKind &kind)
{
    return kind.list ? alert.*kind.list : alert.scope.*kind.scopeList;
}

const QList<QUuid> &refList(const Alert &alert, const RefKind &kind)
{
    return kind.list ? alert.*kind.list : alert.scope.*kind.scopeList;
}

} // namespace

AlertStore::AlertStore(Database &db, const SecretBox &secrets)
    : EntityStore(db, QStringLiteral("alerts"), QStringLiteral("alert"))
    , m_secrets(secrets)
{
}

QList<AlertStore::Column> AlertStore::columns(const Alert &alert) const
{
    QVariant sealed(QMetaType::fromType<QByteArray>());
    if (!alert.secrets.isEmpty()) {
        QJsonObject secrets;
        for (auto it = alert.secrets.cbegin(); it != alert.secrets.cend(); ++it)
            secrets.insert(it.key(), it.value());
        sealed = m_secrets.seal(QJsonDocument(secrets).toJson(QJsonDocument::Compact));
    }
    return {
        {QStringLiteral("name"), alert.name},
        {QStringLiteral("description"), alert.description},
        {QStringLiteral("enabled"), alert.enabled},
        {QStringLiteral("from_states"), dbJson(toJsonEnums(alert.fromStates))},
        {QStringLiteral("to_states"), dbJson(toJsonEnums(alert.toStates))},
        {QStringLiteral("all_hosts"), alert.scope.allHosts},
        {QStringLiteral("all_services"), alert.scope.allServices},
        {QStringLiteral("module"), alert.module},
        {QStringLiteral("options"), dbJson(alert.options)},
        {QStringLiteral("secrets"), sealed},
    };
}

void AlertStore::readRow(const QSqlQuery &row, Alert &alert) const
{
    alert.name = row.value(QStringLiteral("name")).toString();
    alert.description = row.value(QStringLiteral("description")).toString();
    alert.enabled = row.value(QStringLiteral("enabled")).toBool();
    const QJsonObject states = {
        {QStringLiteral("from"), jsonArrayFromDb(row.value(QStringLiteral("from_states")))},
        {QStringLiteral("to"), jsonArrayFromDb(row.value(QStringLiteral("to_states")))},
    };
    FieldErrors ignored;
    JsonReader reader(states, ignored);
    alert.fromStates = reader.enumList<State>(QStringLiteral("from"));
    alert.toStates = reader.enumList<State>(QStringLiteral("to"));
    alert.scope.allHosts = row.value(QStringLiteral("all_hosts")).toBool();
    alert.scope.allServices = row.value(QStringLiteral("all_services")).toBool();
    alert.module = row.value(QStringLiteral("module")).toString();
    alert.options = jsonObjectFromDb(row.value(QStringLiteral("options")));
    const QVariant sealed = row.value(QStringLiteral("secrets"));
    if (sealed.isNull())
        return;
    const std::optional<QByteArray> plaintext = m_secrets.open(sealed.toByteArray());
    if (!plaintext) {
        // The key file was replaced: the alert still loads, without its secrets, and says so.
        qCWarning(lcAlertStore).noquote() << "cannot decrypt the secrets of alert" << alert.name
                                          << "- was the secrets key replaced? Enter them again.";
        return;
    }
    const QJsonObject secrets = QJsonDocument::fromJson(*plaintext).object();
    for (auto it = secrets.constBegin(); it != secrets.constEnd(); ++it)
        alert.secrets.insert(it.key(), it.value().toString());
}

void AlertStore::readChildren(QHash<QUuid, Alert *> &byId)
{
    QSqlQuery refs = selectChildren(QStringLiteral("SELECT * FROM alert_refs"), QStringLiteral("alert_id"), byId);
    while (refs.next()) {
        Alert *alert = byId.value(idFromDb(refs.value(QStringLiteral("alert_id"))));
        if (!alert)
            continue;
        const QString kind = refs.value(QStringLiteral("kind")).toString();
        for (const RefKind &refKind : refKinds()) {
            if (kind == QLatin1String(refKind.kind))
                refList(*alert, refKind).append(idFromDb(refs.value(QLatin1String(refKind.column))));
        }
    }
}

void AlertStore::writeChildren(const Alert &alert)
{
    for (const RefKind &refKind : refKinds()) {
        const QList<QUuid> &ids = refList(alert, refKind);
        for (qsizetype i = 0; i < ids.size(); ++i)
            m_db.exec(QStringLiteral("INSERT INTO alert_refs (alert_id, kind, position, %1) VALUES (?, ?, ?, ?)")
                          .arg(QLatin1String(refKind.column)),
                      {dbId(alert.id), QLatin1String(refKind.kind), int(i), dbId(ids[i])});
    }
}

QList<std::pair<QString, QString>> AlertStore::childTables() const
{
    return {{QStringLiteral("alert_refs"), QStringLiteral("alert_id")}};
}

void AlertStore::checkRules(const Alert &alert)
{
    EntityRows::requireValid(validate(alert));
    m_rows.requireUniqueName(QStringLiteral("name"), alert.name, alert.id);
    EntityRows::requireExisting(m_db, QStringLiteral("hosts"), QStringLiteral("host"), alert.scope.hostIds,
                                QStringLiteral("scope.host_ids"));
    EntityRows::requireExisting(m_db, QStringLiteral("host_groups"), QStringLiteral("host group"), alert.scope.groupIds,
                                QStringLiteral("scope.group_ids"));
    EntityRows::requireExisting(m_db, QStringLiteral("services"), QStringLiteral("service"), alert.scope.serviceIds,
                                QStringLiteral("scope.service_ids"));
    EntityRows::requireExisting(m_db, QStringLiteral("plugins"), QStringLiteral("plugin"), alert.pluginIds,
                                QStringLiteral("plugin_ids"));
    EntityRows::requireExisting(m_db, QStringLiteral("checks"), QStringLiteral("check"), alert.checkIds,
                                QStringLiteral("check_ids"));
}

} // namespace prophasis
