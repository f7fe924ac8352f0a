#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

QJsonObject toJson(const ServiceMember &member)
{
    QJsonObject object = {
        {QStringLiteral("kind"), enumName(member.kind)},
        {QStringLiteral("id"), toJsonId(member.id)},
    };
    if (member.kind == MemberKind::HostPlugin)
        object.insert(QStringLiteral("plugin_id"), toJsonId(member.pluginId));
    return object;
}

QJsonArray toJson(const QList<ServiceMember> &members)
{
    QJsonArray array;
    for (const ServiceMember &member : members)
        array.append(toJson(member));
    return array;
}

// `field` names the member in errors, e.g. "dependencies.0".
ServiceMember readMember(const QJsonValue &value, FieldErrors &errors, const QString &field)
{
    ServiceMember member;
    if (!value.isObject()) {
        errors.add(field, QStringLiteral("must be an object"));
        return member;
    }
    const QJsonObject object = value.toObject();
    JsonReader reader(object, errors, field + u'.');
    member.kind = reader.enumValue(QStringLiteral("kind"), member.kind, true);
    member.id = reader.uuid(QStringLiteral("id"));
    // Read for every kind, so validate() can refuse a plugin on a member that cannot have one.
    member.pluginId = reader.uuid(QStringLiteral("plugin_id"));
    return member;
}

QList<ServiceMember> readMembers(JsonReader &reader, const QString &key)
{
    QList<ServiceMember> members;
    const QJsonArray items = reader.array(key);
    for (qsizetype i = 0; i < items.size(); ++i)
        members.append(
            readMember(items[i], reader.errors(), reader.field(key) + QStringLiteral(".%1").arg(i)));
    return members;
}

// `field` names the group in errors, e.g. "redundancy_groups.0".
RedundancyGroup readGroup(const QJsonValue &value, FieldErrors &errors, const QString &field)
{
    RedundancyGroup group;
    if (!value.isObject()) {
        errors.add(field, QStringLiteral("must be an object"));
        return group;
    }
    const QJsonObject object = value.toObject();
    JsonReader reader(object, errors, field + u'.');
    group.name = reader.string(QStringLiteral("name"));
    group.members = readMembers(reader, QStringLiteral("members"));
    return group;
}

} // namespace

QJsonObject toJson(const Service &service)
{
    QJsonArray groups;
    for (const RedundancyGroup &group : service.redundancyGroups)
        groups.append(QJsonObject{
            {QStringLiteral("name"), group.name},
            {QStringLiteral("members"), toJson(group.members)},
        });
    return {
        {QStringLiteral("id"), toJsonId(service.id)},
        {QStringLiteral("version"), service.version},
        {QStringLiteral("name"), service.name},
        {QStringLiteral("description"), service.description},
        {QStringLiteral("dependencies"), toJson(service.dependencies)},
        {QStringLiteral("redundancy_groups"), groups},
    };
}

FieldErrors fromJson(const QJsonObject &json, Service &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.description = reader.string(QStringLiteral("description"), out.description);
    if (reader.has(QStringLiteral("dependencies")))
        out.dependencies = readMembers(reader, QStringLiteral("dependencies"));
    if (reader.has(QStringLiteral("redundancy_groups"))) {
        const QJsonArray items = reader.array(QStringLiteral("redundancy_groups"));
        out.redundancyGroups.clear();
        for (qsizetype i = 0; i < items.size(); ++i)
            out.redundancyGroups.append(
                readGroup(items[i], errors, QStringLiteral("redundancy_groups.%1").arg(i)));
    }
    return errors;
}

} // namespace prophasis
