#include "daemon-core/configio/importapply.h"

#include <QSet>

#include <functional>

#include "daemon-core/storage/alertstore.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/servicestore.h"
#include "shared/health/cycles.h"

namespace prophasis {

namespace {

// Members before the groups (or services) that contain them. Written in that order, every
// object reachable from the one being saved already has its final members, so the store's
// existence and cycle checks pass at each step even when the import turns a nesting around.
QList<QUuid> membersFirst(const QList<QUuid> &ids,
                          const std::function<QList<QUuid>(const QUuid &)> &membersOf)
{
    QList<QUuid> order;
    QSet<QUuid> visited;
    std::function<void(const QUuid &)> visit = [&](const QUuid &id) {
        if (visited.contains(id))
            return;
        visited.insert(id);
        for (const QUuid &member : membersOf(id))
            visit(member);
        order.append(id);
    };
    for (const QUuid &id : ids)
        visit(id);
    return order;
}

class Applier
{
public:
    Applier(Database &db, const SecretBox &secrets, const ImportPlan &plan, ImportResult &result)
        : m_db(db)
        , m_secrets(secrets)
        , m_plan(plan)
        , m_result(result)
    {
        for (const ImportChange &change : plan.changes)
            m_changes[change.kind].append(change);
    }

    void run()
    {
        if (m_plan.options.replace)
            deleteMissing();
        const Configuration &s = m_plan.stored;
        const Configuration &in = m_plan.incoming;
        PluginStore plugins(m_db);
        write(plugins, QStringLiteral("plugins"), s.plugins, in.plugins);
        HostStore hosts(m_db);
        write(hosts, QStringLiteral("hosts"), s.hosts, in.hosts);
        const QHash<QUuid, HostGroup> groups = m_plan.finalGroups();
        HostGroupStore groupStore(m_db);
        write(groupStore, QStringLiteral("host_groups"), s.groups, in.groups,
              [&](const QUuid &id) { return groups.value(id).groupIds; });
        CheckStore checks(m_db);
        write(checks, QStringLiteral("checks"), s.checks, in.checks);
        ScheduleStore schedules(m_db);
        write(schedules, QStringLiteral("schedules"), s.schedules, in.schedules);
        const QHash<QUuid, Service> services = m_plan.finalServices();
        ServiceStore serviceStore(m_db);
        write(serviceStore, QStringLiteral("services"), s.services, in.services,
              [&](const QUuid &id) { return nestedServiceIds(services.value(id)); });
        AlertStore alerts(m_db, m_secrets);
        write(alerts, QStringLiteral("alerts"), s.alerts, in.alerts);
    }

private:
    // Before anything is written, so the names of deleted objects are free for new ones.
    // Reverse dependency order; each delete takes the references to the object with it.
    void deleteMissing()
    {
        QList<ImportChange> candidates = m_plan.deleteCandidates;
        const QStringList order = {QStringLiteral("alerts"),      QStringLiteral("services"),
                                   QStringLiteral("schedules"),   QStringLiteral("checks"),
                                   QStringLiteral("host_groups"), QStringLiteral("hosts"),
                                   QStringLiteral("plugins")};
        for (const QString &kind : order) {
            for (const ImportChange &change : candidates) {
                if (change.kind != kind)
                    continue;
                removeFrom(kind, change.id);
                m_result.done.append(change);
            }
        }
    }

    void removeFrom(const QString &kind, const QUuid &id)
    {
        if (kind == QLatin1String("alerts"))
            AlertStore(m_db, m_secrets).remove(id);
        else if (kind == QLatin1String("services"))
            ServiceStore(m_db).remove(id);
        else if (kind == QLatin1String("schedules"))
            ScheduleStore(m_db).remove(id);
        else if (kind == QLatin1String("checks"))
            CheckStore(m_db).remove(id);
        else if (kind == QLatin1String("host_groups"))
            HostGroupStore(m_db).remove(id);
        else if (kind == QLatin1String("hosts"))
            HostStore(m_db).remove(id);
        else if (kind == QLatin1String("plugins"))
            PluginStore(m_db).remove(id);
    }

    template <typename T>
    void write(EntityStore<T> &store, const QString &kind, const QHash<QUuid, T> &stored,
               const QHash<QUuid, T> &incoming,
               const std::function<QList<QUuid>(const QUuid &)> &membersOf = {})
    {
        const QList<ImportChange> changes = m_changes.value(kind);
        QHash<QUuid, qint64> versions;
        for (const ImportChange &change : changes) {
            if (change.action == ImportAction::Update)
                versions.insert(change.id, stored.value(change.id).version);
        }
        // Renamed objects first take their UUID as a name, so names can move between objects
        // of the document (a swap, or a new object taking an old name) without a collision.
        // Plugins do the same with their package id, unique too.
        for (const ImportChange &change : changes) {
            if (change.action != ImportAction::Update)
                continue;
            const T &before = stored.value(change.id);
            const T &after = incoming.value(change.id);
            bool renamed = before.name.compare(after.name, Qt::CaseInsensitive) != 0;
            if constexpr (std::is_same_v<T, Plugin>)
                renamed = renamed || before.pluginId.compare(after.pluginId, Qt::CaseInsensitive) != 0;
            if (!renamed)
                continue;
            // As stored now: with `replace`, deletes may have taken references out of it.
            T placeholder = store.get(change.id);
            placeholder.version = versions.value(change.id); // Conflict if someone saved since the plan
            placeholder.name = change.id.toString(QUuid::WithoutBraces);
            if constexpr (std::is_same_v<T, Plugin>)
                placeholder.pluginId = placeholder.name; // a UUID is a valid plugin id
            versions[change.id] = store.update(placeholder).version;
        }
        QHash<QUuid, ImportChange> byId;
        QList<QUuid> ids;
        for (const ImportChange &change : changes) {
            byId.insert(change.id, change);
            ids.append(change.id);
        }
        if (membersOf)
            ids = membersFirst(ids, membersOf);
        for (const QUuid &id : ids) {
            const auto change = byId.find(id);
            if (change == byId.end() || change->action == ImportAction::Unchanged)
                continue; // a member that is not in the document, or nothing to do
            T object = incoming.value(id);
            if (change->action == ImportAction::Create) {
                object.version = 0;
                store.create(object);
            } else {
                object.version = versions.value(id);
                store.update(object);
            }
            m_result.done.append(*change);
        }
    }

    Database &m_db;
    const SecretBox &m_secrets;
    const ImportPlan &m_plan;
    ImportResult &m_result;
    QHash<QString, QList<ImportChange>> m_changes;
};

} // namespace

ImportResult applyImport(Database &db, const SecretBox &secrets, const QJsonObject &document,
                         const ImportOptions &options)
{
    return db.transaction([&] {
        ImportResult result;
        const ImportPlan plan = planImport(db, secrets, document, options);
        result.errors = plan.errors;
        if (!plan.isValid())
            return result;
        Applier(db, secrets, plan, result).run();
        result.applied = true;
        return result;
    });
}

QJsonObject ImportResult::toJson() const
{
    return {
        {QStringLiteral("applied"), applied},
        {QStringLiteral("errors"), errorsToJson(errors)},
        {QStringLiteral("done"), changesToJson(done)},
    };
}

} // namespace prophasis
