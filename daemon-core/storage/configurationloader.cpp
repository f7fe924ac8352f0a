#include "daemon-core/storage/configurationloader.h"

#include "daemon-core/storage/alertstore.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/servicestore.h"

namespace prophasis {

namespace {

template <typename T>
QHash<QUuid, T> byId(const QList<T> &entities)
{
    QHash<QUuid, T> map;
    map.reserve(entities.size());
    for (const T &entity : entities)
        map.insert(entity.id, entity);
    return map;
}

} // namespace

Configuration loadConfiguration(Database &db, const SecretBox &secrets)
{
    return db.transaction([&] {
        Configuration configuration;
        configuration.hosts = byId(HostStore(db).list());
        configuration.groups = byId(HostGroupStore(db).list());
        configuration.plugins = byId(PluginStore(db).list());
        configuration.checks = byId(CheckStore(db).list());
        configuration.schedules = byId(ScheduleStore(db).list());
        configuration.services = byId(ServiceStore(db).list());
        configuration.alerts = byId(AlertStore(db, secrets).list());
        return configuration;
    });
}

} // namespace prophasis
