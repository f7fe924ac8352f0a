#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

QJsonObject toJson(const AlertScope &scope)
{
    return {
        {QStringLiteral("all_hosts"), scope.allHosts},
        {QStringLiteral("all_services"), scope.allServices},
        {QStringLiteral("host_ids"), toJsonIds(scope.hostIds)},
        {QStringLiteral("group_ids"), toJsonIds(scope.groupIds)},
        {QStringLiteral("service_ids"), toJsonIds(scope.serviceIds)},
    };
}

void readScope(JsonReader &parent, AlertScope &out)
{
    const QJsonObject object = parent.object(QStringLiteral("scope"));
    JsonReader reader(object, parent.errors(), parent.field(QStringLiteral("scope.")));
    out.allHosts = reader.boolean(QStringLiteral("all_hosts"), out.allHosts);
    out.allServices = reader.boolean(QStringLiteral("all_services"), out.allServices);
    out.hostIds = reader.uuidList(QStringLiteral("host_ids"), out.hostIds);
    out.groupIds = reader.uuidList(QStringLiteral("group_ids"), out.groupIds);
    out.serviceIds = reader.uuidList(QStringLiteral("service_ids"), out.serviceIds);
}

// Names present overwrite the stored value; null removes the secret; names absent are kept, so a
// client that never saw the values can still save the alert.
void readSecrets(JsonReader &reader, QMap<QString, QString> &secrets)
{
    const QJsonObject object = reader.object(QStringLiteral("secrets"));
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.value().isNull())
            secrets.remove(it.key());
        else if (it.value().isString())
            secrets.insert(it.key(), it.value().toString());
        else
            reader.errors().add(reader.field(QStringLiteral("secrets.")) + it.key(),
                                QStringLiteral("must be a string, or null to remove the secret"));
    }
}

} // namespace

QJsonObject toJson(const Alert &alert)
{
    return {
        {QStringLiteral("id"), toJsonId(alert.id)},
        {QStringLiteral("version"), alert.version},
        {QStringLiteral("name"), alert.name},
        {QStringLiteral("description"), alert.description},
        {QStringLiteral("from_states"), toJsonEnums(alert.fromStates)},
        {QStringLiteral("to_states"), toJsonEnums(alert.toStates)},
        {QStringLiteral("scope"), toJson(alert.scope)},
        {QStringLiteral("plugin_ids"), toJsonIds(alert.pluginIds)},
        {QStringLiteral("check_ids"), toJsonIds(alert.checkIds)},
        {QStringLiteral("module"), alert.module},
        {QStringLiteral("options"), alert.options},
        // Only the names, sorted (QMap keys are): the values never leave the core.
        {QStringLiteral("secrets_set"), QJsonArray::fromStringList(alert.secrets.keys())},
        {QStringLiteral("enabled"), alert.enabled},
    };
}

FieldErrors fromJson(const QJsonObject &json, Alert &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.description = reader.string(QStringLiteral("description"), out.description);
    out.fromStates = reader.enumList<State>(QStringLiteral("from_states"), out.fromStates);
    out.toStates = reader.enumList<State>(QStringLiteral("to_states"), out.toStates);
    if (reader.has(QStringLiteral("scope")))
        readScope(reader, out.scope);
    out.pluginIds = reader.uuidList(QStringLiteral("plugin_ids"), out.pluginIds);
    out.checkIds = reader.uuidList(QStringLiteral("check_ids"), out.checkIds);
    out.module = reader.string(QStringLiteral("module"), out.module);
    if (reader.has(QStringLiteral("options")))
        out.options = reader.object(QStringLiteral("options"));
    readSecrets(reader, out.secrets);
    out.enabled = reader.boolean(QStringLiteral("enabled"), out.enabled);
    return errors;
}

} // namespace prophasis
