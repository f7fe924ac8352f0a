#include "daemon-core/configio/importplan.h"

#include <QJsonArray>

#include <functional>

#include "daemon-core/configio/configdocument.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/pluginstore.h"
#include "shared/domain/validation.h"
#include "shared/health/cycles.h"
#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

QString idText(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

// The objects of one kind in the document: where each is (for error paths), in document order.
struct Parsed
{
    QList<QUuid> order;
    QHash<QUuid, QString> path; // "hosts.3"
};

void addPrefixed(FieldErrors &errors, const QString &prefix, const FieldErrors &found)
{
    for (const FieldError &error : found.list())
        errors.add(error.field.isEmpty() ? prefix : prefix + u'.' + error.field, error.message);
}

// Reads the list `key` of the document into `incoming`. Alerts start from the secrets stored
// for them, which the document does not carry.
template <typename T>
Parsed parseKind(const QJsonObject &document, const QString &key, const QHash<QUuid, T> &stored,
                 QHash<QUuid, T> &incoming, FieldErrors &errors)
{
    Parsed parsed;
    const QJsonValue list = document.value(key);
    if (!list.isArray()) {
        errors.add(key, QStringLiteral("must be a list"));
        return parsed;
    }
    const QJsonArray array = list.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString path = key + u'.' + QString::number(i);
        if (!array[i].isObject()) {
            errors.add(path, QStringLiteral("must be an object"));
            continue;
        }
        QJsonObject json = array[i].toObject();
        const QUuid id = QUuid::fromString(json.value(QStringLiteral("id")).toString());
        if (id.isNull()) {
            errors.add(path + QStringLiteral(".id"), QStringLiteral("must be a UUID"));
            continue;
        }
        if (parsed.path.contains(id)) {
            errors.add(path + QStringLiteral(".id"),
                       QStringLiteral("is also the id of %1").arg(parsed.path.value(id)));
            continue;
        }
        json.remove(QStringLiteral("version")); // this core's counter decides, not the document's
        T object;
        if constexpr (std::is_same_v<T, Alert>)
            object.secrets = stored.value(id).secrets; // the document has none: keep ours
        addPrefixed(errors, path, fromJson(json, object));
        object.id = id;
        addPrefixed(errors, path, validate(object));
        parsed.order.append(id);
        parsed.path.insert(id, path);
        incoming.insert(id, object);
    }
    return parsed;
}

// The objects of a kind after the import: the document's, plus the database's others unless
// they are to be replaced.
template <typename T>
QHash<QUuid, T> finalObjects(const QHash<QUuid, T> &stored, const QHash<QUuid, T> &incoming, bool replace)
{
    QHash<QUuid, T> result = replace ? QHash<QUuid, T>() : stored;
    for (auto it = incoming.cbegin(); it != incoming.cend(); ++it)
        result.insert(it.key(), it.value());
    return result;
}

// Names are unique per kind, case-insensitively, across what the import leaves.
template <typename T>
void checkUnique(FieldErrors &errors, const Parsed &parsed, const QHash<QUuid, T> &stored,
                 const QHash<QUuid, T> &incoming, bool replace, const QString &label, const QString &field,
                 const std::function<QString(const T &)> &valueOf)
{
    QHash<QString, QString> owner; // lower-case value → who has it
    if (!replace) {
        for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
            if (!incoming.contains(it.key()))
                owner.insert(valueOf(it.value()).toLower(),
                             QStringLiteral("%1 %2 on this core").arg(label, idText(it.key())));
        }
    }
    for (const QUuid &id : parsed.order) {
        const QString value = valueOf(incoming.value(id));
        const QString key = value.toLower();
        if (owner.contains(key))
            errors.add(parsed.path.value(id) + u'.' + field,
                       QStringLiteral("\"%1\" is already used by %2").arg(value, owner.value(key)));
        else
            owner.insert(key, parsed.path.value(id));
    }
}

// Resolves references against what the import leaves.
class References
{
public:
    References(const ImportPlan &plan, FieldErrors &errors)
        : m_plan(plan)
        , m_errors(errors)
    {
    }

    template <typename T>
    void require(const QString &path, const QList<QUuid> &ids, const QHash<QUuid, T> &stored,
                 const QHash<QUuid, T> &incoming, const QString &label)
    {
        for (qsizetype i = 0; i < ids.size(); ++i)
            requireOne(path + u'.' + QString::number(i), ids[i], stored, incoming, label);
    }

    template <typename T>
    void requireOne(const QString &path, const QUuid &id, const QHash<QUuid, T> &stored,
                    const QHash<QUuid, T> &incoming, const QString &label)
    {
        if (incoming.contains(id) || (!m_plan.options.replace && stored.contains(id)))
            return;
        m_errors.add(path,
                     m_plan.options.replace
                         ? QStringLiteral("no %1 %2 in the document").arg(label, idText(id))
                         : QStringLiteral("no %1 %2 in the document or on this core").arg(label, idText(id)));
    }

    void members(const QString &path, const QList<ServiceMember> &members)
    {
        const Configuration &s = m_plan.stored;
        const Configuration &in = m_plan.incoming;
        for (qsizetype i = 0; i < members.size(); ++i) {
            const ServiceMember &member = members[i];
            const QString at = path + u'.' + QString::number(i);
            switch (member.kind) {
            case MemberKind::Host:
                requireOne(at + QStringLiteral(".id"), member.id, s.hosts, in.hosts, QStringLiteral("host"));
                break;
            case MemberKind::HostGroup:
                requireOne(at + QStringLiteral(".id"), member.id, s.groups, in.groups,
                           QStringLiteral("host group"));
                break;
            case MemberKind::HostPlugin:
                requireOne(at + QStringLiteral(".id"), member.id, s.hosts, in.hosts, QStringLiteral("host"));
                requireOne(at + QStringLiteral(".plugin_id"), member.pluginId, s.plugins, in.plugins,
                           QStringLiteral("plugin"));
                break;
            case MemberKind::Service:
                requireOne(at + QStringLiteral(".id"), member.id, s.services, in.services,
                           QStringLiteral("service"));
                break;
            }
        }
    }

private:
    const ImportPlan &m_plan;
    FieldErrors &m_errors;
};

template <typename T>
QString cyclePath(const QList<QUuid> &cycle, const QHash<QUuid, T> &objects)
{
    QStringList names;
    for (const QUuid &id : cycle)
        names.append(objects.contains(id) ? objects.value(id).name : idText(id));
    return names.join(QStringLiteral(" → "));
}

// The secret names the document's alert at `path` ("alerts.2") lists that `alert` lacks.
QStringList missingSecrets(const QJsonObject &document, const QString &path, const Alert &alert)
{
    const QJsonObject json =
        document.value(QStringLiteral("alerts")).toArray().at(path.section(u'.', 1).toInt()).toObject();
    QStringList missing;
    for (const QJsonValue &name : json.value(QStringLiteral("secrets_set")).toArray()) {
        if (!alert.secrets.contains(name.toString()))
            missing.append(name.toString());
    }
    return missing;
}

template <typename T>
void listChanges(ImportPlan &plan, const QJsonObject &document, const QString &kind, const Parsed &parsed,
                 const QHash<QUuid, T> &stored, const QHash<QUuid, T> &incoming)
{
    for (const QUuid &id : parsed.order) {
        ImportChange change{kind, id, incoming.value(id).name, ImportAction::Create, {}, {}};
        if (stored.contains(id)) {
            const QJsonObject before = exportedForm(stored.value(id));
            const QJsonObject after = exportedForm(incoming.value(id));
            QStringList keys = before.keys() + after.keys();
            keys.removeDuplicates();
            keys.sort();
            for (const QString &key : keys) {
                if (before.value(key) != after.value(key))
                    change.fields.append(key);
            }
            change.action = change.fields.isEmpty() ? ImportAction::Unchanged : ImportAction::Update;
        }
        if constexpr (std::is_same_v<T, Alert>)
            change.secretsToSet = missingSecrets(document, parsed.path.value(id), incoming.value(id));
        plan.changes.append(change);
    }
}

template <typename T>
void listDeleteCandidates(ImportPlan &plan, const QString &kind, const QHash<QUuid, T> &stored,
                          const QHash<QUuid, T> &incoming)
{
    QList<T> missing;
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        if (!incoming.contains(it.key()))
            missing.append(it.value());
    }
    std::sort(missing.begin(), missing.end(),
              [](const T &a, const T &b) { return a.id.toString() < b.id.toString(); });
    for (const T &object : missing)
        plan.deleteCandidates.append({kind, object.id, object.name, ImportAction::Delete, {}, {}});
}

void checkFormat(const QJsonObject &document, FieldErrors &errors)
{
    if (document.value(QStringLiteral("format")).toString() != configFormatName())
        errors.add(QStringLiteral("format"), QStringLiteral("must be \"%1\"").arg(configFormatName()));
    const QJsonValue version = document.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != ConfigFormatVersion)
        errors.add(QStringLiteral("version"), QStringLiteral("must be %1").arg(ConfigFormatVersion));
}

void checkPackages(Database &db, const ImportPlan &plan, const Parsed &parsed, FieldErrors &errors)
{
    PluginStore store(db);
    for (const QUuid &id : parsed.order) {
        const Plugin &plugin = plan.incoming.plugins.value(id);
        if (plugin.packageSha256.isEmpty())
            continue; // a server-side plugin: no package
        bool found = false;
        if (plan.stored.plugins.contains(id)) {
            for (const PluginPackage &package : store.listPackages(id))
                found = found || package.sha256.compare(plugin.packageSha256, Qt::CaseInsensitive) == 0;
        }
        if (!found)
            errors.add(
                parsed.path.value(id) + QStringLiteral(".package_sha256"),
                QStringLiteral("package %1 of plugin %2 is not on this core: packages travel separately, "
                               "upload it first")
                    .arg(plugin.packageSha256, plugin.pluginId));
    }
}

} // namespace

ImportPlan planImport(Database &db, const SecretBox &secrets, const QJsonObject &document,
                      const ImportOptions &options)
{
    ImportPlan plan;
    plan.options = options;
    checkFormat(document, plan.errors);
    if (!plan.isValid())
        return plan; // not our document: its lists would only add noise

    return db.transaction([&] {
        plan.stored = loadConfiguration(db, secrets);
        const Configuration &s = plan.stored;
        Configuration &in = plan.incoming;
        FieldErrors &errors = plan.errors;
        const bool replace = options.replace;

        const Parsed plugins = parseKind(document, QStringLiteral("plugins"), s.plugins, in.plugins, errors);
        const Parsed hosts = parseKind(document, QStringLiteral("hosts"), s.hosts, in.hosts, errors);
        const Parsed groups = parseKind(document, QStringLiteral("host_groups"), s.groups, in.groups, errors);
        const Parsed checks = parseKind(document, QStringLiteral("checks"), s.checks, in.checks, errors);
        const Parsed schedules =
            parseKind(document, QStringLiteral("schedules"), s.schedules, in.schedules, errors);
        const Parsed services =
            parseKind(document, QStringLiteral("services"), s.services, in.services, errors);
        const Parsed alerts = parseKind(document, QStringLiteral("alerts"), s.alerts, in.alerts, errors);

        const QString name = QStringLiteral("name");
        checkUnique<Plugin>(errors, plugins, s.plugins, in.plugins, replace, QStringLiteral("plugin"), name,
                            [](const Plugin &p) { return p.name; });
        checkUnique<Plugin>(errors, plugins, s.plugins, in.plugins, replace, QStringLiteral("plugin"),
                            QStringLiteral("plugin_id"), [](const Plugin &p) { return p.pluginId; });
        checkUnique<Host>(errors, hosts, s.hosts, in.hosts, replace, QStringLiteral("host"), name,
                          [](const Host &h) { return h.name; });
        checkUnique<HostGroup>(errors, groups, s.groups, in.groups, replace, QStringLiteral("host group"),
                               name, [](const HostGroup &g) { return g.name; });
        checkUnique<Check>(errors, checks, s.checks, in.checks, replace, QStringLiteral("check"), name,
                           [](const Check &c) { return c.name; });
        checkUnique<Schedule>(errors, schedules, s.schedules, in.schedules, replace,
                              QStringLiteral("schedule"), name, [](const Schedule &c) { return c.name; });
        checkUnique<Service>(errors, services, s.services, in.services, replace, QStringLiteral("service"),
                             name, [](const Service &c) { return c.name; });
        checkUnique<Alert>(errors, alerts, s.alerts, in.alerts, replace, QStringLiteral("alert"), name,
                           [](const Alert &c) { return c.name; });

        References refs(plan, errors);
        const QString host = QStringLiteral("host"), group = QStringLiteral("host group"),
                      plugin = QStringLiteral("plugin"), check = QStringLiteral("check"),
                      service = QStringLiteral("service");
        for (const QUuid &id : groups.order) {
            const HostGroup &g = in.groups.value(id);
            const QString path = groups.path.value(id);
            refs.require(path + QStringLiteral(".host_ids"), g.hostIds, s.hosts, in.hosts, host);
            refs.require(path + QStringLiteral(".group_ids"), g.groupIds, s.groups, in.groups, group);
        }
        for (const QUuid &id : checks.order) {
            const Check &c = in.checks.value(id);
            const QString path = checks.path.value(id);
            refs.require(path + QStringLiteral(".host_ids"), c.hostIds, s.hosts, in.hosts, host);
            refs.require(path + QStringLiteral(".group_ids"), c.groupIds, s.groups, in.groups, group);
            for (qsizetype i = 0; i < c.plugins.size(); ++i)
                refs.requireOne(path + QStringLiteral(".plugins.%1.plugin_id").arg(i), c.plugins[i].pluginId,
                                s.plugins, in.plugins, plugin);
        }
        for (const QUuid &id : schedules.order)
            refs.require(schedules.path.value(id) + QStringLiteral(".check_ids"),
                         in.schedules.value(id).checkIds, s.checks, in.checks, check);
        for (const QUuid &id : services.order) {
            const Service &sv = in.services.value(id);
            const QString path = services.path.value(id);
            refs.members(path + QStringLiteral(".dependencies"), sv.dependencies);
            for (qsizetype i = 0; i < sv.redundancyGroups.size(); ++i)
                refs.members(path + QStringLiteral(".redundancy_groups.%1.members").arg(i),
                             sv.redundancyGroups[i].members);
        }
        for (const QUuid &id : alerts.order) {
            const Alert &a = in.alerts.value(id);
            const QString path = alerts.path.value(id);
            refs.require(path + QStringLiteral(".scope.host_ids"), a.scope.hostIds, s.hosts, in.hosts, host);
            refs.require(path + QStringLiteral(".scope.group_ids"), a.scope.groupIds, s.groups, in.groups,
                         group);
            refs.require(path + QStringLiteral(".scope.service_ids"), a.scope.serviceIds, s.services,
                         in.services, service);
            refs.require(path + QStringLiteral(".plugin_ids"), a.pluginIds, s.plugins, in.plugins, plugin);
            refs.require(path + QStringLiteral(".check_ids"), a.checkIds, s.checks, in.checks, check);
        }

        const QHash<QUuid, HostGroup> finalGroups = plan.finalGroups();
        for (const QUuid &id : groups.order) {
            const QList<QUuid> cycle = findGroupCycle(finalGroups, in.groups.value(id));
            if (!cycle.isEmpty())
                errors.add(groups.path.value(id) + QStringLiteral(".group_ids"),
                           QStringLiteral("would make a cycle: %1").arg(cyclePath(cycle, finalGroups)));
        }
        const QHash<QUuid, Service> finalServices = plan.finalServices();
        for (const QUuid &id : services.order) {
            const QList<QUuid> cycle = findServiceCycle(finalServices, in.services.value(id));
            if (!cycle.isEmpty())
                errors.add(services.path.value(id),
                           QStringLiteral("would make a cycle: %1").arg(cyclePath(cycle, finalServices)));
        }

        checkPackages(db, plan, plugins, errors);

        listChanges(plan, document, QStringLiteral("plugins"), plugins, s.plugins, in.plugins);
        listChanges(plan, document, QStringLiteral("hosts"), hosts, s.hosts, in.hosts);
        listChanges(plan, document, QStringLiteral("host_groups"), groups, s.groups, in.groups);
        listChanges(plan, document, QStringLiteral("checks"), checks, s.checks, in.checks);
        listChanges(plan, document, QStringLiteral("schedules"), schedules, s.schedules, in.schedules);
        listChanges(plan, document, QStringLiteral("services"), services, s.services, in.services);
        listChanges(plan, document, QStringLiteral("alerts"), alerts, s.alerts, in.alerts);

        listDeleteCandidates(plan, QStringLiteral("plugins"), s.plugins, in.plugins);
        listDeleteCandidates(plan, QStringLiteral("hosts"), s.hosts, in.hosts);
        listDeleteCandidates(plan, QStringLiteral("host_groups"), s.groups, in.groups);
        listDeleteCandidates(plan, QStringLiteral("checks"), s.checks, in.checks);
        listDeleteCandidates(plan, QStringLiteral("schedules"), s.schedules, in.schedules);
        listDeleteCandidates(plan, QStringLiteral("services"), s.services, in.services);
        listDeleteCandidates(plan, QStringLiteral("alerts"), s.alerts, in.alerts);
        return plan;
    });
}

QHash<QUuid, HostGroup> ImportPlan::finalGroups() const
{
    return finalObjects(stored.groups, incoming.groups, options.replace);
}

QHash<QUuid, Service> ImportPlan::finalServices() const
{
    return finalObjects(stored.services, incoming.services, options.replace);
}

QString actionName(ImportAction action)
{
    switch (action) {
    case ImportAction::Create:
        return QStringLiteral("create");
    case ImportAction::Update:
        return QStringLiteral("update");
    case ImportAction::Unchanged:
        return QStringLiteral("unchanged");
    case ImportAction::Delete:
        return QStringLiteral("delete");
    }
    return {};
}

QJsonObject toJson(const ImportChange &change)
{
    QJsonObject json{
        {QStringLiteral("kind"), change.kind},
        {QStringLiteral("id"), toJsonId(change.id)},
        {QStringLiteral("name"), change.name},
        {QStringLiteral("action"), actionName(change.action)},
    };
    if (change.action == ImportAction::Update)
        json.insert(QStringLiteral("fields"), QJsonArray::fromStringList(change.fields));
    if (!change.secretsToSet.isEmpty())
        json.insert(QStringLiteral("secrets_to_set"), QJsonArray::fromStringList(change.secretsToSet));
    return json;
}

QJsonArray changesToJson(const QList<ImportChange> &changes)
{
    QJsonArray list;
    for (const ImportChange &change : changes)
        list.append(toJson(change));
    return list;
}

QJsonArray errorsToJson(const FieldErrors &errors)
{
    QJsonArray list;
    for (const FieldError &error : errors.list())
        list.append(
            QJsonObject{{QStringLiteral("field"), error.field}, {QStringLiteral("message"), error.message}});
    return list;
}

QJsonObject ImportPlan::toJson() const
{
    return {
        {QStringLiteral("valid"), isValid()},
        {QStringLiteral("replace"), options.replace},
        {QStringLiteral("errors"), errorsToJson(errors)},
        {QStringLiteral("changes"), changesToJson(changes)},
        {QStringLiteral("delete_candidates"), changesToJson(deleteCandidates)},
    };
}

} // namespace prophasis
