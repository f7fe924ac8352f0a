#pragma once

#include <QList>
#include <QString>
#include <QUuid>

namespace prophasis {

class Database;

// Something that refers to a configuration object, so deleting that object changes it: a check
// runs on the host, a service counts it, an alert watches it.
struct Dependent
{
    QString entityType; // host_group, check, schedule, service, alert (as the audit log names them)
    QUuid id;
    QString name;
    QString relation; // what it does with the object, for a person: "runs on it", "watches it"
    friend bool operator==(const Dependent &, const Dependent &) = default;
};

// What refers to the object of `entityType` ("host", "host_group", "plugin", "check",
// "schedule", "service", "alert") with `id`, by entity type and name; empty when nothing does
// (or the type has no dependents). The references go with the object when it is deleted (the
// schema cascades): this is what tells the admin before.
QList<Dependent> dependentsOf(Database &db, const QString &entityType, const QUuid &id);

// "check \"Disk\" (runs on it), service \"Shop\" (is a member of it)": for messages.
QString describeDependents(const QList<Dependent> &dependents);

} // namespace prophasis
