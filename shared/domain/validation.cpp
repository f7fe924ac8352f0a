#include "shared/domain/validation.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

#include "shared/domain/pluginversion.h"

namespace prophasis {

namespace {

void checkName(FieldErrors &errors, const QString &name, const QString &field = QStringLiteral("name"))
{
    if (name.trimmed().isEmpty())
        errors.add(field, QStringLiteral("must not be empty"));
    else if (name != name.trimmed())
        errors.add(field, QStringLiteral("must not start or end with spaces"));
    else if (name.size() > MaxNameLength)
        errors.add(field, QStringLiteral("must be at most %1 characters").arg(MaxNameLength));
}

void checkDescription(FieldErrors &errors, const QString &description)
{
    if (description.size() > MaxDescriptionLength)
        errors.add(QStringLiteral("description"),
                   QStringLiteral("must be at most %1 characters").arg(MaxDescriptionLength));
}

void checkVariables(FieldErrors &errors, const Variables &variables)
{
    for (auto it = variables.cbegin(); it != variables.cend(); ++it) {
        const QString field = QStringLiteral("variables.") + it.key();
        if (!isValidVariableName(it.key()))
            errors.add(field, QStringLiteral("a variable name is a letter or _ followed by up to 63 "
                                             "letters, digits or _"));
        else if (it.value().size() > MaxVariableValueLength)
            errors.add(field, QStringLiteral("must be at most %1 characters").arg(MaxVariableValueLength));
    }
}

void checkIds(FieldErrors &errors, const QList<QUuid> &ids, const QString &field)
{
    QSet<QUuid> seen;
    for (const QUuid &id : ids) {
        if (id.isNull())
            errors.add(field, QStringLiteral("contains an empty id"));
        else if (seen.contains(id))
            errors.add(field, QStringLiteral("lists %1 twice").arg(id.toString(QUuid::WithoutBraces)));
        seen.insert(id);
    }
}

void checkClassifier(FieldErrors &errors, const Classifier &classifier, const QString &prefix)
{
    if (classifier.source.trimmed().isEmpty())
        errors.add(prefix + QStringLiteral(".source"), QStringLiteral("must not be empty"));
    else if (classifier.source.size() > MaxClassifierSourceLength)
        errors.add(prefix + QStringLiteral(".source"),
                   QStringLiteral("must be at most %1 characters").arg(MaxClassifierSourceLength));
    if (classifier.nHistorical < 1 || classifier.nHistorical > MaxClassifierHistory)
        errors.add(prefix + QStringLiteral(".n_historical"),
                   QStringLiteral("must be between 1 and %1").arg(MaxClassifierHistory));
}

void checkMember(FieldErrors &errors, const ServiceMember &member, const QString &field)
{
    if (member.id.isNull())
        errors.add(field + QStringLiteral(".id"), QStringLiteral("must name a %1").arg(enumName(member.kind)));
    if (member.kind == MemberKind::HostPlugin && member.pluginId.isNull())
        errors.add(field + QStringLiteral(".plugin_id"), QStringLiteral("a plugin on a host needs the plugin"));
    if (member.kind != MemberKind::HostPlugin && !member.pluginId.isNull())
        errors.add(field + QStringLiteral(".plugin_id"), QStringLiteral("only a host_plugin member names a plugin"));
}

} // namespace

// Patterns are anchored with \A…\z (anchoredPattern): '$' would also match before a trailing newline.

bool isValidVariableName(QStringView name)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(u"[A-Za-z_][A-Za-z0-9_]{0,63}"));
    return pattern.match(name).hasMatch();
}

bool isValidSha256Hex(QStringView hex)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(u"[0-9a-f]{64}"));
    return pattern.match(hex).hasMatch();
}

bool isValidHostAddress(QStringView address)
{
    if (address.isEmpty() || address.size() > 253)
        return false;
    if (QHostAddress hostAddress; hostAddress.setAddress(address.toString()))
        return true; // IPv4, IPv6, and link-local IPv6 with a scope such as fe80::1%eth0
    // A name whose last label is all digits is a mistyped IPv4 address (256.1.1.1), not a host name.
    QStringView name = address;
    if (name.endsWith(u'.'))
        name.chop(1);
    const QStringView lastLabel = name.mid(name.lastIndexOf(u'.') + 1);
    if (!lastLabel.isEmpty() && std::all_of(lastLabel.begin(), lastLabel.end(), [](QChar c) { return c.isDigit(); }))
        return false;
    static const QRegularExpression dnsName(QRegularExpression::anchoredPattern(
        uR"(([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?)"));
    return dnsName.match(address).hasMatch();
}

bool isValidPluginId(QStringView id)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(u"[a-z0-9][a-z0-9._-]{0,127}"));
    return pattern.match(id).hasMatch();
}

FieldErrors validate(const Host &host)
{
    FieldErrors errors;
    checkName(errors, host.name);
    checkDescription(errors, host.description);
    if (!isValidHostAddress(host.address))
        errors.add(QStringLiteral("address"), QStringLiteral("must be a DNS name or an IP address"));
    if (host.agentPort == 0)
        errors.add(QStringLiteral("agent_port"), QStringLiteral("must be between 1 and 65535"));
    if (!host.agentKeySha256.isEmpty() && !isValidSha256Hex(host.agentKeySha256))
        errors.add(QStringLiteral("agent_key_sha256"), QStringLiteral("must be 64 lower-case hex digits"));
    checkVariables(errors, host.variables);
    return errors;
}

FieldErrors validate(const HostGroup &group)
{
    FieldErrors errors;
    checkName(errors, group.name);
    checkDescription(errors, group.description);
    checkIds(errors, group.hostIds, QStringLiteral("host_ids"));
    checkIds(errors, group.groupIds, QStringLiteral("group_ids"));
    if (group.groupIds.contains(group.id) && !group.id.isNull())
        errors.add(QStringLiteral("group_ids"), QStringLiteral("a group cannot contain itself"));
    checkVariables(errors, group.variables);
    return errors;
}

FieldErrors validate(const Plugin &plugin)
{
    FieldErrors errors;
    if (!isValidPluginId(plugin.pluginId))
        errors.add(QStringLiteral("plugin_id"),
                   QStringLiteral("must be lower-case letters, digits, '.', '_' or '-', starting with a "
                                  "letter or digit, at most 128 characters"));
    checkName(errors, plugin.name);
    checkDescription(errors, plugin.description);
    if (!isValidPluginVersion(plugin.pluginVersion))
        errors.add(QStringLiteral("plugin_version"), QStringLiteral("must be a version such as 1.2 or 2.0.1-rc.1"));
    if (plugin.runtime != PluginRuntime::Server && plugin.entry.trimmed().isEmpty())
        errors.add(QStringLiteral("entry"), QStringLiteral("must name the file to run"));
    checkClassifier(errors, plugin.classifier, QStringLiteral("classifier"));
    if (plugin.timeoutSeconds < 1 || plugin.timeoutSeconds > MaxPluginTimeoutSeconds)
        errors.add(QStringLiteral("timeout_s"), QStringLiteral("must be between 1 and %1").arg(MaxPluginTimeoutSeconds));
    if (!plugin.packageSha256.isEmpty() && !isValidSha256Hex(plugin.packageSha256))
        errors.add(QStringLiteral("package_sha256"), QStringLiteral("must be 64 lower-case hex digits"));
    QSet<QString> argumentNames;
    for (qsizetype i = 0; i < plugin.arguments.size(); ++i) {
        const QString field = QStringLiteral("arguments.%1.name").arg(i);
        const QString &name = plugin.arguments[i].name;
        if (!isValidVariableName(name))
            errors.add(field, QStringLiteral("an argument name is a letter or _ followed by letters, digits or _"));
        else if (argumentNames.contains(name))
            errors.add(field, QStringLiteral("argument %1 is defined twice").arg(name));
        argumentNames.insert(name);
    }
    return errors;
}

FieldErrors validate(const Check &check)
{
    FieldErrors errors;
    checkName(errors, check.name);
    checkDescription(errors, check.description);
    checkIds(errors, check.hostIds, QStringLiteral("host_ids"));
    checkIds(errors, check.groupIds, QStringLiteral("group_ids"));
    QSet<QUuid> plugins;
    for (qsizetype i = 0; i < check.plugins.size(); ++i) {
        const CheckPlugin &entry = check.plugins[i];
        const QString prefix = QStringLiteral("plugins.%1").arg(i);
        if (entry.pluginId.isNull())
            errors.add(prefix + QStringLiteral(".plugin_id"), QStringLiteral("must name a plugin"));
        else if (plugins.contains(entry.pluginId))
            errors.add(prefix + QStringLiteral(".plugin_id"), QStringLiteral("the plugin is in this check twice"));
        plugins.insert(entry.pluginId);
        if (entry.classifierOverride)
            checkClassifier(errors, *entry.classifierOverride, prefix + QStringLiteral(".classifier"));
    }
    return errors;
}

FieldErrors validate(const Schedule &schedule)
{
    FieldErrors errors;
    checkName(errors, schedule.name);
    checkDescription(errors, schedule.description);
    if (schedule.intervals.isEmpty())
        errors.add(QStringLiteral("intervals"), QStringLiteral("a schedule needs at least one interval"));
    for (qsizetype i = 0; i < schedule.intervals.size(); ++i) {
        const ScheduleInterval &interval = schedule.intervals[i];
        if (!interval.start.isValid())
            errors.add(QStringLiteral("intervals.%1.start").arg(i), QStringLiteral("must be a date and time"));
        if (interval.periodSeconds < MinPeriodSeconds || interval.periodSeconds > MaxPeriodSeconds)
            errors.add(QStringLiteral("intervals.%1.period_s").arg(i),
                       QStringLiteral("must be between %1 second and %2 seconds (366 days)")
                           .arg(MinPeriodSeconds)
                           .arg(MaxPeriodSeconds));
    }
    checkIds(errors, schedule.checkIds, QStringLiteral("check_ids"));
    return errors;
}

FieldErrors validate(const Service &service)
{
    FieldErrors errors;
    checkName(errors, service.name);
    checkDescription(errors, service.description);
    for (qsizetype i = 0; i < service.dependencies.size(); ++i) {
        const ServiceMember &member = service.dependencies[i];
        checkMember(errors, member, QStringLiteral("dependencies.%1").arg(i));
        if (member.kind == MemberKind::Service && member.id == service.id && !service.id.isNull())
            errors.add(QStringLiteral("dependencies.%1.id").arg(i), QStringLiteral("a service cannot contain itself"));
    }
    for (qsizetype g = 0; g < service.redundancyGroups.size(); ++g) {
        const RedundancyGroup &group = service.redundancyGroups[g];
        const QString prefix = QStringLiteral("redundancy_groups.%1").arg(g);
        if (group.members.isEmpty())
            errors.add(prefix + QStringLiteral(".members"), QStringLiteral("a redundancy group needs members"));
        if (group.name.size() > MaxNameLength)
            errors.add(prefix + QStringLiteral(".name"), QStringLiteral("must be at most %1 characters").arg(MaxNameLength));
        for (qsizetype i = 0; i < group.members.size(); ++i) {
            const ServiceMember &member = group.members[i];
            const QString field = prefix + QStringLiteral(".members.%1").arg(i);
            checkMember(errors, member, field);
            if (member.kind == MemberKind::Service && member.id == service.id && !service.id.isNull())
                errors.add(field + QStringLiteral(".id"), QStringLiteral("a service cannot contain itself"));
        }
    }
    return errors;
}

FieldErrors validate(const Alert &alert)
{
    FieldErrors errors;
    checkName(errors, alert.name);
    checkDescription(errors, alert.description);
    if (alert.module.trimmed().isEmpty())
        errors.add(QStringLiteral("module"), QStringLiteral("must name an alert module"));
    if (!alert.scope.allHosts && !alert.scope.allServices && alert.scope.hostIds.isEmpty()
        && alert.scope.groupIds.isEmpty() && alert.scope.serviceIds.isEmpty())
        errors.add(QStringLiteral("scope"), QStringLiteral("choose all hosts, all services or some objects"));
    checkIds(errors, alert.scope.hostIds, QStringLiteral("scope.host_ids"));
    checkIds(errors, alert.scope.groupIds, QStringLiteral("scope.group_ids"));
    checkIds(errors, alert.scope.serviceIds, QStringLiteral("scope.service_ids"));
    checkIds(errors, alert.pluginIds, QStringLiteral("plugin_ids"));
    checkIds(errors, alert.checkIds, QStringLiteral("check_ids"));
    return errors;
}

FieldErrors validate(const User &user)
{
    FieldErrors errors;
    static const QRegularExpression usernamePattern(
        QRegularExpression::anchoredPattern(u"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"));
    if (!usernamePattern.match(user.username).hasMatch())
        errors.add(QStringLiteral("username"),
                   QStringLiteral("must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a "
                                  "letter or digit"));
    if (user.fullName.size() > MaxNameLength)
        errors.add(QStringLiteral("full_name"), QStringLiteral("must be at most %1 characters").arg(MaxNameLength));
    return errors;
}

} // namespace prophasis
