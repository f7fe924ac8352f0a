#include "daemon-core/configio/configdocument.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

#include "daemon-core/storage/configurationloader.h"
#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

template <typename T>
QJsonArray exportList(const QHash<QUuid, T> &objects)
{
    QList<QUuid> ids = objects.keys();
    // Sorted by the UUID's text, which is what a reader of the document sees.
    std::sort(ids.begin(), ids.end(),
              [](const QUuid &a, const QUuid &b) { return a.toString() < b.toString(); });
    QJsonArray list;
    for (const QUuid &id : ids)
        list.append(exportedForm(objects.value(id)));
    return list;
}

} // namespace

template <typename T>
QJsonObject exportedForm(const T &entity)
{
    QJsonObject json = toJson(entity);
    json.remove(QStringLiteral("version"));
    return json;
}

template QJsonObject exportedForm(const Host &);
template QJsonObject exportedForm(const HostGroup &);
template QJsonObject exportedForm(const Plugin &);
template QJsonObject exportedForm(const Check &);
template QJsonObject exportedForm(const Schedule &);
template QJsonObject exportedForm(const Service &);
template QJsonObject exportedForm(const Alert &);

QString configFormatName()
{
    return QStringLiteral("prophasis-config");
}

QStringList configKinds()
{
    return {QStringLiteral("plugins"), QStringLiteral("hosts"),     QStringLiteral("host_groups"),
            QStringLiteral("checks"),  QStringLiteral("schedules"), QStringLiteral("services"),
            QStringLiteral("alerts")};
}

QJsonObject exportConfiguration(const Configuration &configuration, const QDateTime &exported)
{
    return {
        {QStringLiteral("format"), configFormatName()},
        {QStringLiteral("version"), ConfigFormatVersion},
        {QStringLiteral("exported"), toJsonTime(exported)},
        {QStringLiteral("plugins"), exportList(configuration.plugins)},
        {QStringLiteral("hosts"), exportList(configuration.hosts)},
        {QStringLiteral("host_groups"), exportList(configuration.groups)},
        {QStringLiteral("checks"), exportList(configuration.checks)},
        {QStringLiteral("schedules"), exportList(configuration.schedules)},
        {QStringLiteral("services"), exportList(configuration.services)},
        {QStringLiteral("alerts"), exportList(configuration.alerts)},
    };
}

QJsonObject exportConfiguration(Database &db, const SecretBox &secrets, const QDateTime &exported)
{
    return exportConfiguration(loadConfiguration(db, secrets), exported);
}

QByteArray configDocumentBytes(const QJsonObject &document)
{
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

} // namespace prophasis
