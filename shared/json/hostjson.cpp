#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

QJsonObject toJson(const Host &host)
{
    return {
        {QStringLiteral("id"), toJsonId(host.id)},
        {QStringLiteral("version"), host.version},
        {QStringLiteral("name"), host.name},
        {QStringLiteral("address"), host.address},
        {QStringLiteral("agent_port"), host.agentPort},
        {QStringLiteral("description"), host.description},
        {QStringLiteral("agent_key_sha256"), host.agentKeySha256},
        {QStringLiteral("enabled"), host.enabled},
        {QStringLiteral("variables"), toJson(host.variables)},
    };
}

FieldErrors fromJson(const QJsonObject &json, Host &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.address = reader.string(QStringLiteral("address"), out.address);
    out.agentPort = quint16(reader.integer(QStringLiteral("agent_port"), out.agentPort, 1, 65535));
    out.description = reader.string(QStringLiteral("description"), out.description);
    out.agentKeySha256 = reader.string(QStringLiteral("agent_key_sha256"), out.agentKeySha256);
    out.enabled = reader.boolean(QStringLiteral("enabled"), out.enabled);
    out.variables = reader.variables(QStringLiteral("variables"), out.variables);
    return errors;
}

QJsonObject toJson(const HostGroup &group)
{
    return {
        {QStringLiteral("id"), toJsonId(group.id)},
        {QStringLiteral("version"), group.version},
        {QStringLiteral("name"), group.name},
        {QStringLiteral("description"), group.description},
        {QStringLiteral("host_ids"), toJsonIds(group.hostIds)},
        {QStringLiteral("group_ids"), toJsonIds(group.groupIds)},
        {QStringLiteral("variables"), toJson(group.variables)},
    };
}

FieldErrors fromJson(const QJsonObject &json, HostGroup &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.description = reader.string(QStringLiteral("description"), out.description);
    out.hostIds = reader.uuidList(QStringLiteral("host_ids"), out.hostIds);
    out.groupIds = reader.uuidList(QStringLiteral("group_ids"), out.groupIds);
    out.variables = reader.variables(QStringLiteral("variables"), out.variables);
    return errors;
}

} // namespace prophasis
