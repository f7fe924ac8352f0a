#include "console/servicepage/servicereport.h"

#include <QCoreApplication>
#include <QJsonArray>

#include "console/common/statepresentation.h"

namespace prophasis {

namespace {

constexpr int MaxNamesInSentence = 3;

// The sentences' translation context (lupdate reads Q_DECLARE_TR_FUNCTIONS).
struct ServiceText
{
    Q_DECLARE_TR_FUNCTIONS(ServiceReport)
};

QUuid idOf(const QJsonValue &value)
{
    return QUuid::fromString(value.toString());
}

ServiceMemberReport memberFromJson(const QJsonObject &json)
{
    ServiceMemberReport member;
    member.kind =
        enumFromName<MemberKind>(json.value(QStringLiteral("kind")).toString()).value_or(MemberKind::Host);
    member.id = idOf(json.value(QStringLiteral("id")));
    member.name = json.value(QStringLiteral("name")).toString();
    member.pluginId = idOf(json.value(QStringLiteral("plugin_id")));
    member.pluginName = json.value(QStringLiteral("plugin_name")).toString();
    member.state = stateFromWire(json.value(QStringLiteral("state")).toString());
    return member;
}

// "critical", "major", … as they read inside a sentence.
QString stateWord(State state)
{
    switch (state) {
    case State::Critical:
        return ServiceText::tr("critical");
    case State::Major:
        return ServiceText::tr("major");
    case State::Minor:
        return ServiceText::tr("minor");
    case State::Degraded:
        return ServiceText::tr("degraded");
    case State::Unknown:
        return ServiceText::tr("unknown");
    case State::Ok:
        return ServiceText::tr("OK");
    case State::NoData:
        return ServiceText::tr("without data");
    }
    return {};
}

// "a", "a and b", "a, b and c", "a, b, c and 2 more".
QString nameList(const QStringList &names)
{
    if (names.size() == 1)
        return names.first();
    if (names.size() > MaxNamesInSentence)
        return ServiceText::tr("%1 and %n more", nullptr, int(names.size() - MaxNamesInSentence))
            .arg(names.first(MaxNamesInSentence).join(QStringLiteral(", ")));
    return ServiceText::tr("%1 and %2")
        .arg(names.first(names.size() - 1).join(QStringLiteral(", ")), names.last());
}

// "web2 is critical", "web2 and web3 are critical", "web2 is critical and web3 is major".
QString membersInStates(const QList<ServiceMemberReport> &members)
{
    QList<State> states;
    for (const ServiceMemberReport &member : members)
        if (!states.contains(member.state))
            states.append(member.state);
    std::sort(states.begin(), states.end(), [](State a, State b) { return isMoreSevere(a, b); });
    QStringList parts;
    for (const State state : std::as_const(states)) {
        QStringList names;
        for (const ServiceMemberReport &member : members)
            if (member.state == state)
                names.append(memberDisplayName(member));
        parts.append((names.size() == 1 ? ServiceText::tr("%1 is %2") : ServiceText::tr("%1 are %2"))
                         .arg(nameList(names), stateWord(state)));
    }
    return parts.size() == 1 ? parts.first() : nameList(parts);
}

QString quoted(const QString &name)
{
    return u'\'' + name + u'\'';
}

QString groupCause(const ServiceGroupReport &group)
{
    QList<ServiceMemberReport> failing;
    QList<ServiceMemberReport> serving;
    for (const ServiceMemberReport &member : group.members) {
        if (member.state == State::Ok)
            serving.append(member);
        else if (member.state != State::NoData) // members without data do not count (SPEC §2)
            failing.append(member);
    }
    if (group.state == State::Degraded && !serving.isEmpty()) {
        QStringList servingNames;
        for (const ServiceMemberReport &member : std::as_const(serving))
            servingNames.append(memberDisplayName(member));
        return (serving.size() == 1 ? ServiceText::tr("in redundancy group %1, %2; %3 still serves it")
                                    : ServiceText::tr("in redundancy group %1, %2; %3 still serve it"))
            .arg(quoted(group.name), membersInStates(failing), nameList(servingNames));
    }
    if (failing.isEmpty())
        return ServiceText::tr("redundancy group %1 has no member with data").arg(quoted(group.name));
    return ServiceText::tr("in redundancy group %1 no member is healthy: %2")
        .arg(quoted(group.name), membersInStates(failing));
}

} // namespace

ServiceReport ServiceReport::fromJson(const QJsonObject &json)
{
    ServiceReport report;
    const QJsonObject service = json.value(QStringLiteral("service")).toObject();
    report.id = idOf(service.value(QStringLiteral("id")));
    report.name = service.value(QStringLiteral("name")).toString();
    report.description = service.value(QStringLiteral("description")).toString();
    report.state = stateFromWire(service.value(QStringLiteral("state")).toString());
    for (const QJsonValue &member : json.value(QStringLiteral("dependencies")).toArray())
        report.dependencies.append(memberFromJson(member.toObject()));
    for (const QJsonValue &value : json.value(QStringLiteral("redundancy_groups")).toArray()) {
        const QJsonObject object = value.toObject();
        ServiceGroupReport group;
        group.name = object.value(QStringLiteral("name")).toString();
        group.state = stateFromWire(object.value(QStringLiteral("state")).toString());
        for (const QJsonValue &member : object.value(QStringLiteral("members")).toArray())
            group.members.append(memberFromJson(member.toObject()));
        report.groups.append(group);
    }
    report.changes = parseHealthChanges(json.value(QStringLiteral("changes")).toArray());
    return report;
}

QList<QUuid> ServiceReport::memberIds() const
{
    QList<QUuid> ids;
    for (const ServiceMemberReport &member : dependencies)
        ids.append(member.id);
    for (const ServiceGroupReport &group : groups)
        for (const ServiceMemberReport &member : group.members)
            ids.append(member.id);
    return ids;
}

bool ServiceReport::hasHostGroupMember() const
{
    auto isGroup = [](const ServiceMemberReport &member) { return member.kind == MemberKind::HostGroup; };
    if (std::any_of(dependencies.begin(), dependencies.end(), isGroup))
        return true;
    return std::any_of(groups.begin(), groups.end(), [&isGroup](const ServiceGroupReport &group) {
        return std::any_of(group.members.begin(), group.members.end(), isGroup);
    });
}

QString memberDisplayName(const ServiceMemberReport &member)
{
    if (member.kind == MemberKind::HostPlugin)
        return ServiceText::tr("%1 on %2").arg(member.pluginName, member.name);
    return member.name;
}

QString memberKindLabel(MemberKind kind)
{
    switch (kind) {
    case MemberKind::Host:
        return ServiceText::tr("Host");
    case MemberKind::HostGroup:
        return ServiceText::tr("Host group");
    case MemberKind::HostPlugin:
        return ServiceText::tr("Plugin on a host");
    case MemberKind::Service:
        return ServiceText::tr("Service");
    }
    return {};
}

QString serviceStateReason(const ServiceReport &report)
{
    const QString label = stateLabel(report.state);
    if (report.dependencies.isEmpty() && report.groups.isEmpty())
        return ServiceText::tr("%1: this service has no members yet").arg(label);
    if (report.state == State::Ok)
        return ServiceText::tr("%1: everything it depends on is healthy").arg(label);
    if (report.state == State::NoData)
        return ServiceText::tr("%1: none of its members has been checked yet").arg(label);

    // The service takes the most severe of its parts (SPEC §2): name the parts in its state.
    QStringList causes;
    QStringList dependencyNames;
    for (const ServiceMemberReport &member : report.dependencies)
        if (member.state == report.state)
            dependencyNames.append(quoted(memberDisplayName(member)));
    if (!dependencyNames.isEmpty())
        causes.append((dependencyNames.size() == 1 ? ServiceText::tr("dependency %1 is %2")
                                                   : ServiceText::tr("dependencies %1 are %2"))
                          .arg(nameList(dependencyNames), stateWord(report.state)));
    for (const ServiceGroupReport &group : report.groups)
        if (group.state == report.state)
            causes.append(groupCause(group));
    if (causes.isEmpty())
        return ServiceText::tr("%1: see the members below").arg(label);
    return ServiceText::tr("%1: %2").arg(label, causes.join(QStringLiteral("; ")));
}

} // namespace prophasis
