#include <QTest>

#include <functional>

#include "shared/domain/validation.h"

using namespace prophasis;

// Each row changes a valid object; validate() must then report exactly the named field
// (an empty field: the object is still valid).
using HostChange = std::function<void(Host &)>;
using GroupChange = std::function<void(HostGroup &)>;
using PluginChange = std::function<void(Plugin &)>;
using CheckChange = std::function<void(Check &)>;
using ScheduleChange = std::function<void(Schedule &)>;
using ServiceChange = std::function<void(Service &)>;
using AlertChange = std::function<void(Alert &)>;
using UserChange = std::function<void(User &)>;
Q_DECLARE_METATYPE(HostChange)
Q_DECLARE_METATYPE(GroupChange)
Q_DECLARE_METATYPE(PluginChange)
Q_DECLARE_METATYPE(CheckChange)
Q_DECLARE_METATYPE(ScheduleChange)
Q_DECLARE_METATYPE(ServiceChange)
Q_DECLARE_METATYPE(AlertChange)
Q_DECLARE_METATYPE(UserChange)

namespace {

QUuid uuid(int n)
{
    return QUuid(QStringLiteral("00000000-0000-4000-8000-%1").arg(n, 12, 10, QLatin1Char('0')));
}

QString text(qsizetype length, char16_t c = u'a')
{
    return QString(length, QChar(c));
}

Host validHost()
{
    Host host;
    host.id = uuid(1);
    host.name = QStringLiteral("web1");
    host.address = QStringLiteral("web1.example.com");
    host.variables = {{QStringLiteral("disk_warn"), QStringLiteral("85")}};
    return host;
}

HostGroup validGroup()
{
    HostGroup group;
    group.id = uuid(3);
    group.name = QStringLiteral("web");
    group.hostIds = {uuid(1), uuid(2)};
    group.groupIds = {uuid(4)};
    return group;
}

Plugin validPlugin()
{
    Plugin plugin;
    plugin.id = uuid(10);
    plugin.pluginId = QStringLiteral("org.prophasis.disk");
    plugin.name = QStringLiteral("Disk");
    plugin.pluginVersion = QStringLiteral("1.2.0");
    plugin.runtime = PluginRuntime::Exec;
    plugin.entry = QStringLiteral("disk.sh");
    plugin.classifier = {QStringLiteral("return ok()"), 5};
    plugin.arguments = {{QStringLiteral("path"), ArgumentType::String, {}, {}, true},
                        {QStringLiteral("warn"), ArgumentType::Integer, {}, {}, false}};
    plugin.packageSha256 = text(64, u'0');
    return plugin;
}

Check validCheck()
{
    Check check;
    check.id = uuid(20);
    check.name = QStringLiteral("Disks");
    check.hostIds = {uuid(1)};
    check.groupIds = {uuid(3)};
    check.plugins = {{uuid(10), {}, Classifier{QStringLiteral("return warn()"), 2}},
                     {uuid(11), {}, std::nullopt}};
    return check;
}

Schedule validSchedule()
{
    Schedule schedule;
    schedule.id = uuid(25);
    schedule.name = QStringLiteral("Every minute");
    schedule.intervals = {{QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate), 60}};
    schedule.checkIds = {uuid(20)};
    return schedule;
}

Service validService()
{
    Service service;
    service.id = uuid(30);
    service.name = QStringLiteral("Shop");
    service.dependencies = {{MemberKind::Host, uuid(1), {}}, {MemberKind::HostPlugin, uuid(2), uuid(10)}};
    service.redundancyGroups = {
        {QStringLiteral("databases"),
         {{MemberKind::Service, uuid(31), {}}, {MemberKind::HostGroup, uuid(3), {}}}}};
    return service;
}

Alert validAlert()
{
    Alert alert;
    alert.id = uuid(40);
    alert.name = QStringLiteral("Page ops");
    alert.module = QStringLiteral("email");
    alert.scope.allHosts = true;
    alert.pluginIds = {uuid(10)};
    alert.checkIds = {uuid(20)};
    return alert;
}

User validUser()
{
    User user;
    user.id = uuid(50);
    user.username = QStringLiteral("alice");
    user.fullName = QStringLiteral("Alice Adams");
    return user;
}

template <typename T>
void verifyRule(T object, const std::function<void(T &)> &change, const QString &field)
{
    QVERIFY2(validate(object).isEmpty(), "the sample object must be valid");
    change(object);
    const FieldErrors errors = validate(object);
    if (field.isEmpty()) {
        QVERIFY2(errors.isEmpty(), qPrintable(errors.summary()));
        return;
    }
    QVERIFY2(!errors.isEmpty(), "validate() accepted the object");
    for (const FieldError &error : errors.list())
        QCOMPARE(error.field, field);
    QVERIFY(!errors.list().first().message.isEmpty());
}

} // namespace

class TestValidation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void host_data()
    {
        QTest::addColumn<HostChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << HostChange([](Host &) {}) << QString();
        QTest::newRow("IPv6 address")
            << HostChange([](Host &h) { h.address = QStringLiteral("2001:db8::1"); }) << QString();
        QTest::newRow("pinned key") << HostChange([](Host &h) { h.agentKeySha256 = text(64, u'f'); })
                                    << QString();
        QTest::newRow("name of 200") << HostChange([](Host &h) { h.name = text(200); }) << QString();
        QTest::newRow("empty name") << HostChange([](Host &h) { h.name.clear(); }) << "name";
        QTest::newRow("blank name") << HostChange([](Host &h) { h.name = QStringLiteral("   "); }) << "name";
        QTest::newRow("leading space")
            << HostChange([](Host &h) { h.name = QStringLiteral(" web1"); }) << "name";
        QTest::newRow("trailing space")
            << HostChange([](Host &h) { h.name = QStringLiteral("web1 "); }) << "name";
        QTest::newRow("name of 201") << HostChange([](Host &h) { h.name = text(201); }) << "name";
        QTest::newRow("long description")
            << HostChange([](Host &h) { h.description = text(4001); }) << "description";
        QTest::newRow("bad address") << HostChange([](Host &h) { h.address = QStringLiteral("a b"); })
                                     << "address";
        QTest::newRow("no address") << HostChange([](Host &h) { h.address.clear(); }) << "address";
        QTest::newRow("port 0") << HostChange([](Host &h) { h.agentPort = 0; }) << "agent_port";
        QTest::newRow("upper-case key")
            << HostChange([](Host &h) { h.agentKeySha256 = text(64, u'F'); }) << "agent_key_sha256";
        QTest::newRow("short key") << HostChange([](Host &h) { h.agentKeySha256 = text(63, u'f'); })
                                   << "agent_key_sha256";
        QTest::newRow("bad variable name")
            << HostChange([](Host &h) { h.variables.insert(QStringLiteral("1st"), QStringLiteral("x")); })
            << "variables.1st";
        QTest::newRow("long variable value")
            << HostChange([](Host &h) { h.variables.insert(QStringLiteral("disk_warn"), text(4001)); })
            << "variables.disk_warn";
    }

    void host()
    {
        QFETCH(HostChange, change);
        QFETCH(QString, field);
        verifyRule(validHost(), change, field);
    }

    void group_data()
    {
        QTest::addColumn<GroupChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << GroupChange([](HostGroup &) {}) << QString();
        QTest::newRow("empty name") << GroupChange([](HostGroup &g) { g.name.clear(); }) << "name";
        QTest::newRow("long description")
            << GroupChange([](HostGroup &g) { g.description = text(4001); }) << "description";
        QTest::newRow("null host") << GroupChange([](HostGroup &g) { g.hostIds.append(QUuid()); })
                                   << "host_ids";
        QTest::newRow("host twice") << GroupChange([](HostGroup &g) { g.hostIds.append(uuid(1)); })
                                    << "host_ids";
        QTest::newRow("group twice") << GroupChange([](HostGroup &g) { g.groupIds.append(uuid(4)); })
                                     << "group_ids";
        QTest::newRow("contains itself")
            << GroupChange([](HostGroup &g) { g.groupIds.append(g.id); }) << "group_ids";
        QTest::newRow("bad variable name") << GroupChange([](HostGroup &g) {
            g.variables.insert(QStringLiteral("a-b"), QStringLiteral("x"));
        }) << "variables.a-b";
    }

    void group()
    {
        QFETCH(GroupChange, change);
        QFETCH(QString, field);
        verifyRule(validGroup(), change, field);
    }

    void plugin_data()
    {
        QTest::addColumn<PluginChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << PluginChange([](Plugin &) {}) << QString();
        QTest::newRow("server plugin needs no entry") << PluginChange([](Plugin &p) {
            p.runtime = PluginRuntime::Server;
            p.entry.clear();
        }) << QString();
        QTest::newRow("no package hash")
            << PluginChange([](Plugin &p) { p.packageSha256.clear(); }) << QString();
        QTest::newRow("longest timeout")
            << PluginChange([](Plugin &p) { p.timeoutSeconds = 3600; }) << QString();
        QTest::newRow("largest history")
            << PluginChange([](Plugin &p) { p.classifier.nHistorical = 1000; }) << QString();
        QTest::newRow("upper-case plugin id")
            << PluginChange([](Plugin &p) { p.pluginId = QStringLiteral("Org.prophasis.disk"); })
            << "plugin_id";
        QTest::newRow("empty plugin id")
            << PluginChange([](Plugin &p) { p.pluginId.clear(); }) << "plugin_id";
        QTest::newRow("empty name") << PluginChange([](Plugin &p) { p.name.clear(); }) << "name";
        QTest::newRow("long description")
            << PluginChange([](Plugin &p) { p.description = text(4001); }) << "description";
        QTest::newRow("bad version") << PluginChange([](Plugin &p) {
            p.pluginVersion = QStringLiteral("v1");
        }) << "plugin_version";
        QTest::newRow("no entry") << PluginChange([](Plugin &p) { p.entry = QStringLiteral(" "); })
                                  << "entry";
        QTest::newRow("empty classifier")
            << PluginChange([](Plugin &p) { p.classifier.source.clear(); }) << "classifier.source";
        QTest::newRow("huge classifier")
            << PluginChange([](Plugin &p) { p.classifier.source = text(MaxClassifierSourceLength + 1); })
            << "classifier.source";
        QTest::newRow("no history") << PluginChange([](Plugin &p) { p.classifier.nHistorical = 0; })
                                    << "classifier.n_historical";
        QTest::newRow("too much history")
            << PluginChange([](Plugin &p) { p.classifier.nHistorical = 1001; }) << "classifier.n_historical";
        QTest::newRow("timeout 0") << PluginChange([](Plugin &p) { p.timeoutSeconds = 0; }) << "timeout_s";
        QTest::newRow("timeout 3601")
            << PluginChange([](Plugin &p) { p.timeoutSeconds = 3601; }) << "timeout_s";
        QTest::newRow("bad package hash")
            << PluginChange([](Plugin &p) { p.packageSha256 = QStringLiteral("abc"); }) << "package_sha256";
        QTest::newRow("bad argument name")
            << PluginChange([](Plugin &p) { p.arguments[0].name = QStringLiteral("mount point"); })
            << "arguments.0.name";
        QTest::newRow("argument twice")
            << PluginChange([](Plugin &p) { p.arguments[1].name = p.arguments[0].name; })
            << "arguments.1.name";
    }

    void plugin()
    {
        QFETCH(PluginChange, change);
        QFETCH(QString, field);
        verifyRule(validPlugin(), change, field);
    }

    void check_data()
    {
        QTest::addColumn<CheckChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << CheckChange([](Check &) {}) << QString();
        QTest::newRow("no plugins") << CheckChange([](Check &c) { c.plugins.clear(); }) << QString();
        QTest::newRow("empty name") << CheckChange([](Check &c) { c.name.clear(); }) << "name";
        QTest::newRow("long description")
            << CheckChange([](Check &c) { c.description = text(4001); }) << "description";
        QTest::newRow("host twice") << CheckChange([](Check &c) { c.hostIds.append(uuid(1)); }) << "host_ids";
        QTest::newRow("null group") << CheckChange([](Check &c) { c.groupIds.append(QUuid()); })
                                    << "group_ids";
        QTest::newRow("null plugin") << CheckChange([](Check &c) { c.plugins[0].pluginId = QUuid(); })
                                     << "plugins.0.plugin_id";
        QTest::newRow("plugin twice")
            << CheckChange([](Check &c) { c.plugins[1].pluginId = c.plugins[0].pluginId; })
            << "plugins.1.plugin_id";
        QTest::newRow("empty override")
            << CheckChange([](Check &c) { c.plugins[0].classifierOverride->source.clear(); })
            << "plugins.0.classifier.source";
        QTest::newRow("override without history")
            << CheckChange([](Check &c) { c.plugins[0].classifierOverride->nHistorical = 0; })
            << "plugins.0.classifier.n_historical";
        QTest::newRow("bad override on the second plugin") << CheckChange([](Check &c) {
            c.plugins[1].classifierOverride = Classifier{QStringLiteral("x"), 1001};
        }) << "plugins.1.classifier.n_historical";
    }

    void check()
    {
        QFETCH(CheckChange, change);
        QFETCH(QString, field);
        verifyRule(validCheck(), change, field);
    }

    void schedule_data()
    {
        QTest::addColumn<ScheduleChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << ScheduleChange([](Schedule &) {}) << QString();
        QTest::newRow("longest period")
            << ScheduleChange([](Schedule &s) { s.intervals[0].periodSeconds = MaxPeriodSeconds; })
            << QString();
        QTest::newRow("empty name") << ScheduleChange([](Schedule &s) { s.name.clear(); }) << "name";
        QTest::newRow("long description")
            << ScheduleChange([](Schedule &s) { s.description = text(4001); }) << "description";
        QTest::newRow("no intervals")
            << ScheduleChange([](Schedule &s) { s.intervals.clear(); }) << "intervals";
        QTest::newRow("no start") << ScheduleChange([](Schedule &s) { s.intervals[0].start = QDateTime(); })
                                  << "intervals.0.start";
        QTest::newRow("period 0") << ScheduleChange([](Schedule &s) { s.intervals[0].periodSeconds = 0; })
                                  << "intervals.0.period_s";
        QTest::newRow("period too long")
            << ScheduleChange([](Schedule &s) { s.intervals[0].periodSeconds = MaxPeriodSeconds + 1; })
            << "intervals.0.period_s";
        QTest::newRow("bad second interval") << ScheduleChange([](Schedule &s) {
            s.intervals.append({s.intervals[0].start, -5});
        }) << "intervals.1.period_s";
        QTest::newRow("check twice") << ScheduleChange([](Schedule &s) { s.checkIds.append(uuid(20)); })
                                     << "check_ids";
    }

    void schedule()
    {
        QFETCH(ScheduleChange, change);
        QFETCH(QString, field);
        verifyRule(validSchedule(), change, field);
    }

    void service_data()
    {
        QTest::addColumn<ServiceChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << ServiceChange([](Service &) {}) << QString();
        QTest::newRow("empty name") << ServiceChange([](Service &s) { s.name.clear(); }) << "name";
        QTest::newRow("long description")
            << ServiceChange([](Service &s) { s.description = text(4001); }) << "description";
        QTest::newRow("null member") << ServiceChange([](Service &s) { s.dependencies[0].id = QUuid(); })
                                     << "dependencies.0.id";
        QTest::newRow("host plugin without plugin")
            << ServiceChange([](Service &s) { s.dependencies[1].pluginId = QUuid(); })
            << "dependencies.1.plugin_id";
        QTest::newRow("host with plugin")
            << ServiceChange([](Service &s) { s.dependencies[0].pluginId = uuid(10); })
            << "dependencies.0.plugin_id";
        QTest::newRow("depends on itself") << ServiceChange([](Service &s) {
            s.dependencies.append({MemberKind::Service, s.id, {}});
        }) << "dependencies.2.id";
        QTest::newRow("empty redundancy group")
            << ServiceChange([](Service &s) { s.redundancyGroups[0].members.clear(); })
            << "redundancy_groups.0.members";
        QTest::newRow("long group name")
            << ServiceChange([](Service &s) { s.redundancyGroups[0].name = text(201); })
            << "redundancy_groups.0.name";
        QTest::newRow("group member contains itself") << ServiceChange([](Service &s) {
            s.redundancyGroups[0].members[1] = {MemberKind::Service, s.id, {}};
        }) << "redundancy_groups.0.members.1.id";
        QTest::newRow("group member with plugin")
            << ServiceChange([](Service &s) { s.redundancyGroups[0].members[0].pluginId = uuid(10); })
            << "redundancy_groups.0.members.0.plugin_id";
    }

    void service()
    {
        QFETCH(ServiceChange, change);
        QFETCH(QString, field);
        verifyRule(validService(), change, field);
    }

    void alert_data()
    {
        QTest::addColumn<AlertChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << AlertChange([](Alert &) {}) << QString();
        QTest::newRow("all services only") << AlertChange([](Alert &a) {
            a.scope.allHosts = false;
            a.scope.allServices = true;
        }) << QString();
        QTest::newRow("chosen services only") << AlertChange([](Alert &a) {
            a.scope.allHosts = false;
            a.scope.serviceIds = {uuid(30)};
        }) << QString();
        QTest::newRow("empty name") << AlertChange([](Alert &a) { a.name.clear(); }) << "name";
        QTest::newRow("long description")
            << AlertChange([](Alert &a) { a.description = text(4001); }) << "description";
        QTest::newRow("no module") << AlertChange([](Alert &a) { a.module.clear(); }) << "module";
        QTest::newRow("blank module")
            << AlertChange([](Alert &a) { a.module = QStringLiteral("  "); }) << "module";
        QTest::newRow("empty scope") << AlertChange([](Alert &a) { a.scope.allHosts = false; }) << "scope";
        QTest::newRow("host twice") << AlertChange([](Alert &a) {
            a.scope.hostIds = {uuid(1), uuid(1)};
        }) << "scope.host_ids";
        QTest::newRow("null group") << AlertChange([](Alert &a) { a.scope.groupIds = {QUuid()}; })
                                    << "scope.group_ids";
        QTest::newRow("service twice") << AlertChange([](Alert &a) {
            a.scope.serviceIds = {uuid(30), uuid(30)};
        }) << "scope.service_ids";
        QTest::newRow("null plugin") << AlertChange([](Alert &a) { a.pluginIds.append(QUuid()); })
                                     << "plugin_ids";
        QTest::newRow("check twice") << AlertChange([](Alert &a) { a.checkIds.append(uuid(20)); })
                                     << "check_ids";
    }

    void alert()
    {
        QFETCH(AlertChange, change);
        QFETCH(QString, field);
        verifyRule(validAlert(), change, field);
    }

    void user_data()
    {
        QTest::addColumn<UserChange>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("valid") << UserChange([](User &) {}) << QString();
        QTest::newRow("e-mail username")
            << UserChange([](User &u) { u.username = QStringLiteral("a.b-c_d@example.com"); }) << QString();
        QTest::newRow("username of 64") << UserChange([](User &u) { u.username = text(64); }) << QString();
        QTest::newRow("no full name") << UserChange([](User &u) { u.fullName.clear(); }) << QString();
        QTest::newRow("empty username") << UserChange([](User &u) { u.username.clear(); }) << "username";
        QTest::newRow("username of 65") << UserChange([](User &u) { u.username = text(65); }) << "username";
        QTest::newRow("leading dot") << UserChange([](User &u) { u.username = QStringLiteral(".alice"); })
                                     << "username";
        QTest::newRow("space") << UserChange([](User &u) { u.username = QStringLiteral("alice adams"); })
                               << "username";
        QTest::newRow("trailing newline")
            << UserChange([](User &u) { u.username = QStringLiteral("alice\n"); }) << "username";
        QTest::newRow("long full name") << UserChange([](User &u) { u.fullName = text(201); }) << "full_name";
    }

    void user()
    {
        QFETCH(UserChange, change);
        QFETCH(QString, field);
        verifyRule(validUser(), change, field);
    }

    void hostAddress_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("valid");
        QTest::newRow("IPv4") << "192.0.2.1" << true;
        QTest::newRow("IPv6 loopback") << "::1" << true;
        QTest::newRow("IPv6 link-local") << "fe80::1" << true;
        QTest::newRow("IPv6 full") << "2001:db8:0:0:0:0:0:1" << true;
        QTest::newRow("single label") << "localhost" << true;
        QTest::newRow("DNS name") << "web1.example.com" << true;
        QTest::newRow("hyphen inside") << "web-1.example.com" << true;
        QTest::newRow("fully qualified") << "example.com." << true;
        QTest::newRow("253 characters")
            << text(63) + u'.' + text(63) + u'.' + text(63) + u'.' + text(61) << true;
        QTest::newRow("label of 63") << text(63) + QStringLiteral(".com") << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("space") << "a b" << false;
        QTest::newRow("leading hyphen") << "-x" << false;
        QTest::newRow("trailing hyphen") << "x-" << false;
        QTest::newRow("empty label") << "x..y" << false;
        QTest::newRow("leading dot") << ".example.com" << false;
        QTest::newRow("254 characters")
            << text(63) + u'.' + text(63) + u'.' + text(63) + u'.' + text(62) << false;
        QTest::newRow("label of 64") << text(64) + QStringLiteral(".com") << false;
        QTest::newRow("with port") << "web1:4048" << false;
        QTest::newRow("IPv4 with port") << "192.0.2.1:4048" << false;
        QTest::newRow("bracketed IPv6") << "[::1]" << false;
        QTest::newRow("URL") << "https://web1" << false;
        QTest::newRow("trailing newline") << "web1.example.com\n" << false;
        QTest::newRow("scoped link-local") << "fe80::1%eth0" << true;
        QTest::newRow("IPv4 out of range") << "256.1.1.1" << false;
        QTest::newRow("IPv4 nonsense") << "999.999.999.999" << false;
        QTest::newRow("digits in a name") << "web1.example.com2" << true;
    }

    void hostAddress()
    {
        QFETCH(QString, address);
        QFETCH(bool, valid);
        QCOMPARE(isValidHostAddress(address), valid);
    }

    void pluginId_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::newRow("reverse DNS") << "org.prophasis.cpu_load" << true;
        QTest::newRow("one letter") << "a" << true;
        QTest::newRow("leading digit") << "0day" << true;
        QTest::newRow("all separators") << "x-y_z.1" << true;
        QTest::newRow("128 characters") << text(128) << true;
        QTest::newRow("129 characters") << text(129) << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("upper case") << "Org.prophasis" << false;
        QTest::newRow("leading dot") << ".x" << false;
        QTest::newRow("leading hyphen") << "-x" << false;
        QTest::newRow("leading underscore") << "_x" << false;
        QTest::newRow("space") << "a b" << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("trailing newline") << "a\n" << false;
    }

    void pluginId()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(isValidPluginId(id), valid);
    }

    void variableName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("snake case") << "disk_warn" << true;
        QTest::newRow("leading underscore") << "_x" << true;
        QTest::newRow("upper case and digit") << "A1" << true;
        QTest::newRow("64 characters") << text(64) << true;
        QTest::newRow("65 characters") << text(65) << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("leading digit") << "1x" << false;
        QTest::newRow("hyphen") << "a-b" << false;
        QTest::newRow("dot") << "a.b" << false;
        QTest::newRow("space") << "a b" << false;
        QTest::newRow("non-ASCII letter") << QStringLiteral("caf\u00e9") << false;
        QTest::newRow("trailing newline") << "x\n" << false;
    }

    void variableName()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidVariableName(name), valid);
    }

    void sha256Hex_data()
    {
        QTest::addColumn<QString>("hex");
        QTest::addColumn<bool>("valid");
        QTest::newRow("64 digits") << QStringLiteral("0123456789abcdef").repeated(4) << true;
        QTest::newRow("63 digits") << text(63, u'e') << false;
        QTest::newRow("65 digits") << text(65, u'e') << false;
        QTest::newRow("upper case") << QStringLiteral("0123456789ABCDEF").repeated(4) << false;
        QTest::newRow("not hex") << text(64, u'g') << false;
        QTest::newRow("colons") << QStringLiteral("ab:").repeated(21) + QStringLiteral("a") << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("trailing newline") << text(64, u'e') + u'\n' << false;
    }

    void sha256Hex()
    {
        QFETCH(QString, hex);
        QFETCH(bool, valid);
        QCOMPARE(isValidSha256Hex(hex), valid);
    }
};

QTEST_APPLESS_MAIN(TestValidation)
#include "tst_validation.moc"
