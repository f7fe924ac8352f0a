#include <QJsonDocument>
#include <QTest>

#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

using namespace prophasis;

namespace {

QUuid uuid(int n)
{
    return QUuid(QStringLiteral("00000000-0000-4000-8000-%1").arg(n, 12, 10, QLatin1Char('0')));
}

QString uuidText(int n)
{
    return uuid(n).toString(QUuid::WithoutBraces);
}

QDateTime utc(const char *text)
{
    return QDateTime::fromString(QString::fromLatin1(text), Qt::ISODateWithMs);
}

// The object as another program sees it: serialised and parsed again.
template <typename T>
QJsonObject overTheWire(const T &entity)
{
    return QJsonDocument::fromJson(QJsonDocument(toJson(entity)).toJson()).object();
}

QJsonObject parse(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s: %s", json, qPrintable(error.errorString()));
    return document.object();
}

// Samples with every field away from its default, so a field lost in either direction shows.

Host sampleHost()
{
    Host host;
    host.id = uuid(1);
    host.version = 7;
    host.name = QStringLiteral("web1");
    host.address = QStringLiteral("192.0.2.10");
    host.agentPort = 4049;
    host.description = QStringLiteral("Front web server");
    host.agentKeySha256 = QString(64, u'a');
    host.enabled = false;
    host.variables = {{QStringLiteral("disk_warn"), QStringLiteral("85")},
                      {QStringLiteral("role"), QStringLiteral("web")}};
    return host;
}

HostGroup sampleGroup()
{
    HostGroup group;
    group.id = uuid(3);
    group.version = 3;
    group.name = QStringLiteral("web");
    group.description = QStringLiteral("All web servers");
    group.hostIds = {uuid(1), uuid(2)};
    group.groupIds = {uuid(4)};
    group.variables = {{QStringLiteral("disk_warn"), QStringLiteral("90")}};
    return group;
}

Plugin samplePlugin()
{
    Plugin plugin;
    plugin.id = uuid(10);
    plugin.version = 2;
    plugin.pluginId = QStringLiteral("org.prophasis.disk");
    plugin.name = QStringLiteral("Disk usage");
    plugin.description = QStringLiteral("Used space per mount");
    plugin.pluginVersion = QStringLiteral("1.2.0");
    plugin.runtime = PluginRuntime::Lua;
    plugin.entry = QStringLiteral("disk.lua");
    plugin.classifier = {QStringLiteral("return ok()"), 5};
    plugin.view = PluginView::Percent;
    plugin.arguments = {
        {QStringLiteral("path"), ArgumentType::String, QJsonValue(QStringLiteral("/")),
         QStringLiteral("Mount"), true},
        {QStringLiteral("warn"), ArgumentType::Number, QJsonValue(85.5), QStringLiteral("Warn at %"), false},
        {QStringLiteral("verbose"), ArgumentType::Boolean, QJsonValue(), QString(), false},
    };
    plugin.timeoutSeconds = 30;
    plugin.platforms = {QStringLiteral("linux"), QStringLiteral("freebsd")};
    plugin.packageSha256 = QString(64, u'b');
    return plugin;
}

Check sampleCheck()
{
    Check check;
    check.id = uuid(20);
    check.version = 4;
    check.name = QStringLiteral("Disks");
    check.description = QStringLiteral("Disk space everywhere");
    check.hostIds = {uuid(1)};
    check.groupIds = {uuid(3)};
    check.plugins = {
        {uuid(10), QJsonObject{{QStringLiteral("path"), QStringLiteral("/var")}},
         Classifier{QStringLiteral("return warn()"), 3}},
        {uuid(11), QJsonObject(), std::nullopt},
    };
    check.enabled = false;
    return check;
}

Schedule sampleSchedule()
{
    Schedule schedule;
    schedule.id = uuid(25);
    schedule.version = 5;
    schedule.name = QStringLiteral("Every five minutes");
    schedule.description = QStringLiteral("Most checks");
    schedule.intervals = {{utc("2026-01-31T12:00:00.250Z"), 300}, {utc("2026-02-01T00:00:00.000Z"), 86400}};
    schedule.checkIds = {uuid(20), uuid(21)};
    schedule.enabled = false;
    return schedule;
}

Service sampleService()
{
    Service service;
    service.id = uuid(30);
    service.version = 6;
    service.name = QStringLiteral("Shop");
    service.description = QStringLiteral("The web shop");
    service.dependencies = {
        {MemberKind::Host, uuid(1), {}},
        {MemberKind::HostGroup, uuid(3), {}},
        {MemberKind::HostPlugin, uuid(2), uuid(10)},
    };
    service.redundancyGroups = {
        {QStringLiteral("databases"), {{MemberKind::Service, uuid(31), {}}, {MemberKind::Host, uuid(5), {}}}},
    };
    return service;
}

constexpr auto SmtpSecret = "hunter2-smtp-secret";
constexpr auto ApiKeySecret = "key-XYZ-987-secret";

Alert sampleAlert()
{
    Alert alert;
    alert.id = uuid(40);
    alert.version = 8;
    alert.name = QStringLiteral("Page ops");
    alert.description = QStringLiteral("Wake someone up");
    alert.fromStates = {State::Ok};
    alert.toStates = {State::Critical, State::Major};
    alert.scope = {true, true, {uuid(1)}, {uuid(3)}, {uuid(30)}};
    alert.pluginIds = {uuid(10)};
    alert.checkIds = {uuid(20)};
    alert.module = QStringLiteral("email");
    alert.options = {{QStringLiteral("to"), QStringLiteral("ops@example.com")}, {QStringLiteral("batch"), 5}};
    alert.secrets = {{QStringLiteral("smtp_password"), QString::fromLatin1(SmtpSecret)},
                     {QStringLiteral("api_key"), QString::fromLatin1(ApiKeySecret)}};
    alert.enabled = false;
    return alert;
}

constexpr auto PasswordHash = "$argon2id$v=19$m=65536$c2FsdHNhbHQ$secret-hash-value";

User sampleUser()
{
    User user;
    user.id = uuid(50);
    user.version = 1;
    user.username = QStringLiteral("alice");
    user.fullName = QStringLiteral("Alice Adams");
    user.role = Role::Admin;
    user.enabled = false;
    user.passwordHash = QString::fromLatin1(PasswordHash);
    user.failedLogins = 3;
    user.lockedUntil = utc("2026-01-31T13:00:00.000Z");
    user.lastLogin = utc("2026-01-30T08:15:00.500Z");
    return user;
}

constexpr auto TokenHash = "token-hash-0123456789abcdef";

ApiToken sampleToken()
{
    ApiToken token;
    token.id = uuid(60);
    token.version = 2;
    token.name = QStringLiteral("prometheus");
    token.role = Role::Operator;
    token.ownerId = uuid(50);
    token.tokenHash = QString::fromLatin1(TokenHash);
    token.created = utc("2026-01-01T00:00:00.000Z");
    token.expires = utc("2027-01-01T00:00:00.000Z");
    token.lastUsed = utc("2026-01-31T11:59:59.999Z");
    return token;
}

LogEntry sampleLogEntry()
{
    LogEntry entry;
    entry.id = 42;
    entry.firstSeen = utc("2026-01-30T00:00:00.000Z");
    entry.lastSeen = utc("2026-01-31T00:00:00.000Z");
    entry.count = 17;
    entry.severity = LogSeverity::Security;
    entry.category = QStringLiteral("security");
    entry.message = QStringLiteral("Failed login for alice");
    entry.foldKey = QStringLiteral("login-failed:alice");
    entry.hostId = uuid(1);
    entry.read = true;
    return entry;
}

AuditEntry sampleAuditEntry()
{
    AuditEntry entry;
    entry.id = 9;
    entry.time = utc("2026-01-31T10:00:00.123Z");
    entry.userId = uuid(50);
    entry.username = QStringLiteral("alice");
    entry.source = QStringLiteral("203.0.113.5");
    entry.action = QStringLiteral("update");
    entry.entityType = QStringLiteral("host");
    entry.entityId = uuid(1);
    entry.summary = QStringLiteral("Changed web1");
    entry.details = {{QStringLiteral("changed"), QJsonArray{QStringLiteral("address")}}};
    return entry;
}

CheckResult sampleResult()
{
    CheckResult result;
    result.hostId = uuid(1);
    result.checkId = uuid(20);
    result.pluginId = uuid(10);
    result.time = utc("2026-01-31T12:00:05.000Z");
    result.type = ResultType::Timeout;
    result.value = 12.5;
    result.message = QStringLiteral("slow");
    result.status = PluginStatus::Warning;
    result.classification = State::Minor;
    result.metrics = {{QStringLiteral("load1"), 0.75, QString()},
                      {QStringLiteral("/var used"), 91.5, QStringLiteral("%")}};
    result.durationMs = 1234;
    return result;
}

// Field-by-field comparisons: QCOMPARE names the field that differs.

void compareEqual(const Host &actual, const Host &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.address, expected.address);
    QCOMPARE(actual.agentPort, expected.agentPort);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.agentKeySha256, expected.agentKeySha256);
    QCOMPARE(actual.enabled, expected.enabled);
    QCOMPARE(actual.variables, expected.variables);
}

void compareEqual(const HostGroup &actual, const HostGroup &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.hostIds, expected.hostIds);
    QCOMPARE(actual.groupIds, expected.groupIds);
    QCOMPARE(actual.variables, expected.variables);
}

void compareEqual(const Classifier &actual, const Classifier &expected)
{
    QCOMPARE(actual.source, expected.source);
    QCOMPARE(actual.nHistorical, expected.nHistorical);
}

void compareEqual(const Plugin &actual, const Plugin &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.pluginId, expected.pluginId);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.pluginVersion, expected.pluginVersion);
    QCOMPARE(actual.runtime, expected.runtime);
    QCOMPARE(actual.entry, expected.entry);
    compareEqual(actual.classifier, expected.classifier);
    QCOMPARE(actual.view, expected.view);
    QCOMPARE(actual.arguments.size(), expected.arguments.size());
    for (qsizetype i = 0; i < expected.arguments.size(); ++i) {
        QCOMPARE(actual.arguments[i].name, expected.arguments[i].name);
        QCOMPARE(actual.arguments[i].type, expected.arguments[i].type);
        QCOMPARE(actual.arguments[i].defaultValue, expected.arguments[i].defaultValue);
        QCOMPARE(actual.arguments[i].description, expected.arguments[i].description);
        QCOMPARE(actual.arguments[i].required, expected.arguments[i].required);
    }
    QCOMPARE(actual.timeoutSeconds, expected.timeoutSeconds);
    QCOMPARE(actual.platforms, expected.platforms);
    QCOMPARE(actual.packageSha256, expected.packageSha256);
}

void compareEqual(const Check &actual, const Check &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.hostIds, expected.hostIds);
    QCOMPARE(actual.groupIds, expected.groupIds);
    QCOMPARE(actual.plugins.size(), expected.plugins.size());
    for (qsizetype i = 0; i < expected.plugins.size(); ++i) {
        QCOMPARE(actual.plugins[i].pluginId, expected.plugins[i].pluginId);
        QCOMPARE(actual.plugins[i].arguments, expected.plugins[i].arguments);
        QCOMPARE(actual.plugins[i].classifierOverride.has_value(),
                 expected.plugins[i].classifierOverride.has_value());
        if (expected.plugins[i].classifierOverride)
            compareEqual(*actual.plugins[i].classifierOverride, *expected.plugins[i].classifierOverride);
    }
    QCOMPARE(actual.enabled, expected.enabled);
}

void compareEqual(const Schedule &actual, const Schedule &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.intervals.size(), expected.intervals.size());
    for (qsizetype i = 0; i < expected.intervals.size(); ++i) {
        QCOMPARE(actual.intervals[i].start, expected.intervals[i].start);
        QCOMPARE(actual.intervals[i].periodSeconds, expected.intervals[i].periodSeconds);
    }
    QCOMPARE(actual.checkIds, expected.checkIds);
    QCOMPARE(actual.enabled, expected.enabled);
}

void compareEqual(const Service &actual, const Service &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QVERIFY(actual.dependencies == expected.dependencies);
    QCOMPARE(actual.redundancyGroups.size(), expected.redundancyGroups.size());
    for (qsizetype i = 0; i < expected.redundancyGroups.size(); ++i) {
        QCOMPARE(actual.redundancyGroups[i].name, expected.redundancyGroups[i].name);
        QVERIFY(actual.redundancyGroups[i].members == expected.redundancyGroups[i].members);
    }
}

void compareEqual(const Alert &actual, const Alert &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.fromStates, expected.fromStates);
    QCOMPARE(actual.toStates, expected.toStates);
    QCOMPARE(actual.scope.allHosts, expected.scope.allHosts);
    QCOMPARE(actual.scope.allServices, expected.scope.allServices);
    QCOMPARE(actual.scope.hostIds, expected.scope.hostIds);
    QCOMPARE(actual.scope.groupIds, expected.scope.groupIds);
    QCOMPARE(actual.scope.serviceIds, expected.scope.serviceIds);
    QCOMPARE(actual.pluginIds, expected.pluginIds);
    QCOMPARE(actual.checkIds, expected.checkIds);
    QCOMPARE(actual.module, expected.module);
    QCOMPARE(actual.options, expected.options);
    QCOMPARE(actual.secrets, expected.secrets);
    QCOMPARE(actual.enabled, expected.enabled);
}

void compareEqual(const User &actual, const User &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.username, expected.username);
    QCOMPARE(actual.fullName, expected.fullName);
    QCOMPARE(actual.role, expected.role);
    QCOMPARE(actual.enabled, expected.enabled);
    QCOMPARE(actual.passwordHash, expected.passwordHash);
    QCOMPARE(actual.failedLogins, expected.failedLogins);
    QCOMPARE(actual.lockedUntil, expected.lockedUntil);
    QCOMPARE(actual.lastLogin, expected.lastLogin);
}

void compareEqual(const ApiToken &actual, const ApiToken &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.version, expected.version);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.role, expected.role);
    QCOMPARE(actual.ownerId, expected.ownerId);
    QCOMPARE(actual.tokenHash, expected.tokenHash);
    QCOMPARE(actual.created, expected.created);
    QCOMPARE(actual.expires, expected.expires);
    QCOMPARE(actual.lastUsed, expected.lastUsed);
}

void compareEqual(const LogEntry &actual, const LogEntry &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.firstSeen, expected.firstSeen);
    QCOMPARE(actual.lastSeen, expected.lastSeen);
    QCOMPARE(actual.count, expected.count);
    QCOMPARE(actual.severity, expected.severity);
    QCOMPARE(actual.category, expected.category);
    QCOMPARE(actual.message, expected.message);
    QCOMPARE(actual.foldKey, expected.foldKey);
    QCOMPARE(actual.hostId, expected.hostId);
    QCOMPARE(actual.read, expected.read);
}

void compareEqual(const AuditEntry &actual, const AuditEntry &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.time, expected.time);
    QCOMPARE(actual.userId, expected.userId);
    QCOMPARE(actual.username, expected.username);
    QCOMPARE(actual.source, expected.source);
    QCOMPARE(actual.action, expected.action);
    QCOMPARE(actual.entityType, expected.entityType);
    QCOMPARE(actual.entityId, expected.entityId);
    QCOMPARE(actual.summary, expected.summary);
    QCOMPARE(actual.details, expected.details);
}

void compareEqual(const CheckResult &actual, const CheckResult &expected)
{
    QCOMPARE(actual.hostId, expected.hostId);
    QCOMPARE(actual.checkId, expected.checkId);
    QCOMPARE(actual.pluginId, expected.pluginId);
    QCOMPARE(actual.time, expected.time);
    QCOMPARE(actual.type, expected.type);
    QCOMPARE(actual.value, expected.value);
    QCOMPARE(actual.message, expected.message);
    QCOMPARE(actual.status, expected.status);
    QCOMPARE(actual.classification, expected.classification);
    QVERIFY(actual.metrics == expected.metrics);
    QCOMPARE(actual.durationMs, expected.durationMs);
}

// toJson → bytes → fromJson into a default object must give `expected`.
template <typename T>
void verifyRoundTrip(const T &original, const T &expected)
{
    T back;
    const FieldErrors errors = fromJson(overTheWire(original), back);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.summary()));
    compareEqual(back, expected);
}

// fromJson(patch) over `original` must change exactly what `change` changes.
template <typename T, typename Change>
void verifyPartialUpdate(const T &original, const QJsonObject &patch, Change change)
{
    T updated = original;
    const FieldErrors errors = fromJson(patch, updated);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.summary()));
    T expected = original;
    change(expected);
    compareEqual(updated, expected);
}

// Reads `json` into a default object of the named entity.
FieldErrors readAs(const QString &entity, const QJsonObject &json)
{
    auto read = [&json](auto object) { return fromJson(json, object); };
    if (entity == u"host")
        return read(Host());
    if (entity == u"group")
        return read(HostGroup());
    if (entity == u"plugin")
        return read(Plugin());
    if (entity == u"check")
        return read(Check());
    if (entity == u"schedule")
        return read(Schedule());
    if (entity == u"service")
        return read(Service());
    if (entity == u"alert")
        return read(Alert());
    if (entity == u"user")
        return read(User());
    if (entity == u"token")
        return read(ApiToken());
    if (entity == u"log")
        return read(LogEntry());
    if (entity == u"audit")
        return read(AuditEntry());
    if (entity == u"result")
        return read(CheckResult());
    qFatal("unknown entity %s", qPrintable(entity));
}

QStringList sortedKeys(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

class TestEntityjson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        verifyRoundTrip(sampleHost(), sampleHost());
        verifyRoundTrip(sampleGroup(), sampleGroup());
        verifyRoundTrip(samplePlugin(), samplePlugin());
        verifyRoundTrip(sampleCheck(), sampleCheck());
        verifyRoundTrip(sampleSchedule(), sampleSchedule());
        verifyRoundTrip(sampleService(), sampleService());
        verifyRoundTrip(sampleLogEntry(), sampleLogEntry());
        verifyRoundTrip(sampleAuditEntry(), sampleAuditEntry());
        verifyRoundTrip(sampleResult(), sampleResult());
    }

    void roundTripAlertDropsSecretValues()
    {
        Alert expected = sampleAlert();
        expected.secrets.clear();
        verifyRoundTrip(sampleAlert(), expected);
    }

    void roundTripUserKeepsServerFieldsOut()
    {
        // What a client may set comes back; the hash and the login state stay on the core.
        User expected = sampleUser();
        expected.passwordHash.clear();
        expected.failedLogins = 0;
        expected.lockedUntil = {};
        expected.lastLogin = {};
        verifyRoundTrip(sampleUser(), expected);

        const QJsonObject json = toJson(sampleUser());
        QCOMPARE(json.value(u"failed_logins").toInt(), 3);
        QCOMPARE(json.value(u"locked_until").toString(), QStringLiteral("2026-01-31T13:00:00.000Z"));
        QCOMPARE(json.value(u"last_login").toString(), QStringLiteral("2026-01-30T08:15:00.500Z"));
        QVERIFY(toJson(User()).value(u"locked_until").isNull());
        QVERIFY(toJson(User()).value(u"last_login").isNull());
    }

    void roundTripTokenReadsOnlyWhatTheOwnerChooses()
    {
        ApiToken expected;
        expected.name = sampleToken().name;
        expected.role = sampleToken().role;
        expected.expires = sampleToken().expires;
        verifyRoundTrip(sampleToken(), expected);

        const QJsonObject json = toJson(sampleToken());
        QCOMPARE(json.value(u"id").toString(), uuidText(60));
        QCOMPARE(json.value(u"version").toInt(), 2);
        QCOMPARE(json.value(u"owner_id").toString(), uuidText(50));
        QCOMPARE(json.value(u"created").toString(), QStringLiteral("2026-01-01T00:00:00.000Z"));
        QCOMPARE(json.value(u"last_used").toString(), QStringLiteral("2026-01-31T11:59:59.999Z"));
        QVERIFY(toJson(ApiToken()).value(u"expires").isNull());
    }

    void roundTripResultWithoutValue()
    {
        CheckResult result = sampleResult();
        result.value.reset();
        QVERIFY(toJson(result).value(u"value").isNull());
        verifyRoundTrip(result, result);

        // null over a stored value clears it.
        CheckResult updated = sampleResult();
        QVERIFY(fromJson(parse(R"({"value": null})"), updated).isEmpty());
        QVERIFY(!updated.value.has_value());
    }

    void wireKeys_data()
    {
        QTest::addColumn<QStringList>("actual");
        QTest::addColumn<QStringList>("expected");
        auto row = [](const char *name, const QJsonObject &json, const char *keys) {
            QTest::newRow(name) << sortedKeys(json) << sorted(QString::fromLatin1(keys).split(u' '));
        };
        row("host", toJson(sampleHost()),
            "id version name address agent_port description agent_key_sha256 enabled variables");
        row("group", toJson(sampleGroup()), "id version name description host_ids group_ids variables");
        row("plugin", toJson(samplePlugin()),
            "id version plugin_id name description plugin_version runtime entry classifier view arguments "
            "timeout_s platforms package_sha256");
        row("plugin.classifier", toJson(samplePlugin()).value(u"classifier").toObject(),
            "source n_historical");
        row("plugin.arguments.0", toJson(samplePlugin()).value(u"arguments").toArray().at(0).toObject(),
            "name type default description required");
        row("check", toJson(sampleCheck()), "id version name description host_ids group_ids plugins enabled");
        row("check.plugins.0", toJson(sampleCheck()).value(u"plugins").toArray().at(0).toObject(),
            "plugin_id arguments classifier");
        row("schedule", toJson(sampleSchedule()), "id version name description intervals check_ids enabled");
        row("schedule.intervals.0", toJson(sampleSchedule()).value(u"intervals").toArray().at(0).toObject(),
            "start period_s");
        row("service", toJson(sampleService()), "id version name description dependencies redundancy_groups");
        row("service.dependencies.0",
            toJson(sampleService()).value(u"dependencies").toArray().at(0).toObject(), "kind id");
        row("service.dependencies.2",
            toJson(sampleService()).value(u"dependencies").toArray().at(2).toObject(), "kind id plugin_id");
        row("service.redundancy_groups.0",
            toJson(sampleService()).value(u"redundancy_groups").toArray().at(0).toObject(), "name members");
        row("alert", toJson(sampleAlert()),
            "id version name description from_states to_states scope plugin_ids check_ids module options "
            "secrets_set enabled");
        row("alert.scope", toJson(sampleAlert()).value(u"scope").toObject(),
            "all_hosts all_services host_ids group_ids service_ids");
        row("user", toJson(sampleUser()),
            "id version username full_name role enabled failed_logins locked_until last_login");
        row("token", toJson(sampleToken()), "id version name role owner_id created expires last_used");
        row("log", toJson(sampleLogEntry()),
            "id first_seen last_seen count severity category message fold_key host_id read");
        row("audit", toJson(sampleAuditEntry()),
            "id time user_id username source action entity_type entity_id summary details");
        row("result", toJson(sampleResult()),
            "host_id check_id plugin_id time type value message status classification metrics duration_ms");
        row("result.metrics.1", toJson(sampleResult()).value(u"metrics").toArray().at(1).toObject(),
            "name value unit");
    }

    void wireKeys()
    {
        QFETCH(QStringList, actual);
        QFETCH(QStringList, expected);
        QCOMPARE(actual, expected);
    }

    void wireValues()
    {
        // Spot checks of the forms a client relies on.
        const QJsonObject plugin = toJson(samplePlugin());
        QCOMPARE(plugin.value(u"plugin_id").toString(), QStringLiteral("org.prophasis.disk"));
        QCOMPARE(plugin.value(u"runtime").toString(), QStringLiteral("lua"));
        QCOMPARE(plugin.value(u"view").toString(), QStringLiteral("percent"));
        QCOMPARE(plugin.value(u"arguments").toArray().at(1).toObject().value(u"type").toString(),
                 QStringLiteral("number"));
        QVERIFY(plugin.value(u"arguments").toArray().at(2).toObject().value(u"default").isNull());

        const QJsonArray checkPlugins = toJson(sampleCheck()).value(u"plugins").toArray();
        QCOMPARE(checkPlugins.at(0).toObject().value(u"plugin_id").toString(), uuidText(10));
        QCOMPARE(checkPlugins.at(0).toObject().value(u"classifier").toObject().value(u"n_historical").toInt(),
                 3);
        QVERIFY(checkPlugins.at(1).toObject().value(u"classifier").isNull());

        const QJsonObject interval = toJson(sampleSchedule()).value(u"intervals").toArray().at(0).toObject();
        QCOMPARE(interval.value(u"start").toString(), QStringLiteral("2026-01-31T12:00:00.250Z"));
        QCOMPARE(interval.value(u"period_s").toInt(), 300);

        const QJsonObject member = toJson(sampleService()).value(u"dependencies").toArray().at(2).toObject();
        QCOMPARE(member.value(u"kind").toString(), QStringLiteral("host_plugin"));
        QCOMPARE(member.value(u"plugin_id").toString(), uuidText(10));

        const QJsonObject alert = toJson(sampleAlert());
        QCOMPARE(alert.value(u"to_states").toArray(),
                 (QJsonArray{QStringLiteral("critical"), QStringLiteral("major")}));

        const QJsonObject log = toJson(sampleLogEntry());
        QCOMPARE(log.value(u"id").toInteger(), 42);
        QCOMPARE(log.value(u"severity").toString(), QStringLiteral("security"));
        QCOMPARE(log.value(u"fold_key").toString(), QStringLiteral("login-failed:alice"));

        const QJsonObject result = toJson(sampleResult());
        QCOMPARE(result.value(u"type").toString(), QStringLiteral("timeout"));
        QCOMPARE(result.value(u"status").toString(), QStringLiteral("warning"));
        QCOMPARE(result.value(u"classification").toString(), QStringLiteral("minor"));
        QCOMPARE(result.value(u"value").toDouble(), 12.5);
    }

    void partialUpdate()
    {
        const QJsonObject name{{QStringLiteral("name"), QStringLiteral("x")}};
        auto renamed = [](auto &object) { object.name = QStringLiteral("x"); };
        verifyPartialUpdate(sampleHost(), name, renamed);
        verifyPartialUpdate(sampleGroup(), name, renamed);
        verifyPartialUpdate(samplePlugin(), name, renamed);
        verifyPartialUpdate(sampleCheck(), name, renamed);
        verifyPartialUpdate(sampleSchedule(), name, renamed);
        verifyPartialUpdate(sampleService(), name, renamed);
        verifyPartialUpdate(sampleAlert(), name, renamed); // secrets kept too
        verifyPartialUpdate(sampleToken(), name, renamed);
        verifyPartialUpdate(sampleUser(), parse(R"({"full_name": "x"})"),
                            [](User &user) { user.fullName = QStringLiteral("x"); });
        verifyPartialUpdate(sampleLogEntry(), parse(R"({"message": "x"})"),
                            [](LogEntry &entry) { entry.message = QStringLiteral("x"); });
        verifyPartialUpdate(sampleAuditEntry(), parse(R"({"summary": "x"})"),
                            [](AuditEntry &entry) { entry.summary = QStringLiteral("x"); });
        verifyPartialUpdate(sampleResult(), parse(R"({"message": "x"})"),
                            [](CheckResult &result) { result.message = QStringLiteral("x"); });
    }

    void partialUpdateOfNestedObjects()
    {
        // A partial object merges into the stored one.
        verifyPartialUpdate(samplePlugin(), parse(R"({"classifier": {"n_historical": 9}})"),
                            [](Plugin &plugin) { plugin.classifier.nHistorical = 9; });
        verifyPartialUpdate(sampleAlert(), parse(R"({"scope": {"all_services": false}})"),
                            [](Alert &alert) { alert.scope.allServices = false; });
        // A list replaces the stored one; a null classifier removes the override.
        const QString patch =
            QStringLiteral(R"({"plugins": [{"plugin_id": "%1", "classifier": null}]})").arg(uuidText(12));
        verifyPartialUpdate(sampleCheck(), QJsonDocument::fromJson(patch.toUtf8()).object(),
                            [](Check &check) {
                                check.plugins = {{uuid(12), {}, std::nullopt}};
                            });
        verifyPartialUpdate(sampleToken(), parse(R"({"expires": null})"),
                            [](ApiToken &token) { token.expires = {}; });
    }

    void wrongTypesNameTheField_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        // "ID" in the JSON stands for a valid UUID; the row is named by its entity and body.
        auto row = [](const char *entity, const char *json, const char *field) {
            const QByteArray body = QByteArray(json).replace("ID", uuidText(1).toLatin1());
            const QByteArray tag =
                QByteArray(entity) + ' ' + QJsonDocument::fromJson(body).toJson(QJsonDocument::Compact);
            QTest::newRow(tag.constData())
                << QString::fromLatin1(entity) << body << QString::fromLatin1(field);
        };

        row("host", R"({"agent_port": "4048"})", "agent_port");
        row("group", R"({"host_ids": ["not-a-uuid"]})", "host_ids.0");
        row("plugin", R"({"plugin_id": 5})", "plugin_id");
        row("plugin", R"({"runtime": "python"})", "runtime");
        row("plugin", R"({"view": 1})", "view");
        row("plugin", R"({"timeout_s": 1.5})", "timeout_s");
        row("plugin", R"({"classifier": {"source": "x", "n_historical": "many"}})",
            "classifier.n_historical");
        row("plugin", R"({"classifier": "return ok"})", "classifier");
        row("plugin", R"({"arguments": [{"name": "a"}, {"name": "b", "type": "float"}]})",
            "arguments.1.type");
        row("plugin", R"({"arguments": [{"name": "a", "required": "yes"}]})", "arguments.0.required");
        row("plugin", R"({"arguments": [7]})", "arguments.0");
        row("plugin", R"({"platforms": ["linux", 3]})", "platforms.1");
        row("check", R"({"plugins": [{"plugin_id": "nope"}]})", "plugins.0.plugin_id");
        row("check", R"({"plugins": [{"plugin_id": "ID"}, {"plugin_id": "ID", "arguments": []}]})",
            "plugins.1.arguments");
        row("check", R"({"plugins": [{"plugin_id": "ID", "classifier": {"source": 1}}]})",
            "plugins.0.classifier.source");
        row("check", R"({"plugins": {}})", "plugins");
        row("check", R"({"enabled": "yes"})", "enabled");
        row("schedule",
            R"({"intervals": [{"start": "2026-01-01T00:00:00Z", "period_s": 60},
                              {"start": "2026-01-01T00:00:00Z", "period_s": "60"}]})",
            "intervals.1.period_s");
        row("schedule", R"({"intervals": [{"start": "yesterday", "period_s": 60}]})", "intervals.0.start");
        row("schedule", R"({"intervals": [{"start": "2026-01-01T00:00:00", "period_s": 60}]})",
            "intervals.0.start");
        row("schedule", R"({"check_ids": [1]})", "check_ids.0");
        row("service",
            R"({"redundancy_groups": [{"name": "db", "members": [
                      {"kind": "host", "id": "ID"}, {"kind": "service", "id": "ID"}, {"kind": "vm", "id": "ID"}]}]})",
            "redundancy_groups.0.members.2.kind");
        row("service", R"({"dependencies": [{"kind": "host", "id": 3}]})", "dependencies.0.id");
        row("service", R"({"dependencies": [{"id": "00000000-0000-4000-8000-000000000001"}]})",
            "dependencies.0.kind");
        row("service", R"({"dependencies": [{"kind": "host_plugin", "id": "ID", "plugin_id": "disk"}]})",
            "dependencies.0.plugin_id");
        row("service", R"({"redundancy_groups": [{"name": 5, "members": []}]})", "redundancy_groups.0.name");
        row("alert", R"({"to_states": ["ok", "bad"]})", "to_states.1");
        row("alert", R"({"scope": {"all_hosts": 1}})", "scope.all_hosts");
        row("alert", R"({"scope": {"service_ids": ["x"]}})", "scope.service_ids.0");
        row("alert", R"({"options": []})", "options");
        row("alert", R"({"secrets": {"smtp_password": 5}})", "secrets.smtp_password");
        row("alert", R"({"secrets": "hunter2"})", "secrets");
        row("user", R"({"role": "root"})", "role");
        row("user", R"({"username": false})", "username");
        row("token", R"({"expires": "tomorrow"})", "expires");
        row("token", R"({"role": 1})", "role");
        row("log", R"({"count": "many"})", "count");
        row("log", R"({"severity": "fatal"})", "severity");
        row("log", R"({"host_id": "web1"})", "host_id");
        row("audit", R"({"details": "x"})", "details");
        row("audit", R"({"entity_id": 1})", "entity_id");
        row("result", R"({"value": "12"})", "value");
        row("result", R"({"type": "boom"})", "type");
        row("result", R"({"metrics": [{"name": "a", "value": 1}, {"name": "b", "value": "x"}]})",
            "metrics.1.value");
        row("result", R"({"metrics": [{"name": "a"}]})", "metrics.0.value");
        row("result", R"({"classification": "degraded"})", "classification");
        row("result", R"({"classification": "no_data"})", "classification");
    }

    void wrongTypesNameTheField()
    {
        QFETCH(QString, entity);
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        const FieldErrors errors = readAs(entity, parse(json.constData()));
        // Exactly one error, on exactly this field: nothing else in the body was wrong.
        QCOMPARE(errors.list().size(), 1);
        QCOMPARE(errors.list().first().field, field);
        QVERIFY(!errors.list().first().message.isEmpty());
    }

    void alertSecretsAreWriteOnly()
    {
        const QByteArray bytes = QJsonDocument(toJson(sampleAlert())).toJson();
        QVERIFY(!bytes.contains(SmtpSecret));
        QVERIFY(!bytes.contains(ApiKeySecret));
        const QJsonObject json = toJson(sampleAlert());
        QVERIFY(!json.contains(u"secrets"));
        QCOMPARE(json.value(u"secrets_set").toArray(),
                 (QJsonArray{QStringLiteral("api_key"), QStringLiteral("smtp_password")}));
    }

    void alertSecretsMerge()
    {
        Alert alert = sampleAlert();
        const FieldErrors errors = fromJson(
            parse(R"({"secrets": {"api_key": "new-key", "webhook_url": "hook-url", "smtp_password": null}})"),
            alert);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.summary()));
        const QMap<QString, QString> expected = {{QStringLiteral("api_key"), QStringLiteral("new-key")},
                                                 {QStringLiteral("webhook_url"), QStringLiteral("hook-url")}};
        QCOMPARE(alert.secrets, expected);

        // A client echoing secrets_set back sets nothing.
        Alert fresh;
        QVERIFY(fromJson(parse(R"({"secrets_set": ["api_key"]})"), fresh).isEmpty());
        QVERIFY(fresh.secrets.isEmpty());

        // A bad value leaves the stored secret alone.
        Alert stored = sampleAlert();
        QVERIFY(!fromJson(parse(R"({"secrets": {"api_key": 1}})"), stored).isEmpty());
        QCOMPARE(stored.secrets, sampleAlert().secrets);
    }

    void userPasswordHashNeverLeaves()
    {
        const QByteArray bytes = QJsonDocument(toJson(sampleUser())).toJson();
        QVERIFY(!bytes.contains(PasswordHash));
        QVERIFY(!bytes.contains("argon2"));

        // Neither the hash nor the login state can be written by a client.
        User user = sampleUser();
        const FieldErrors errors = fromJson(parse(R"({"password_hash": "evil", "passwordHash": "evil",
                                                      "failed_logins": 0, "locked_until": null,
                                                      "last_login": "2020-01-01T00:00:00Z"})"),
                                            user);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.summary()));
        compareEqual(user, sampleUser());
    }

    void tokenHashNeverLeaves()
    {
        const QByteArray bytes = QJsonDocument(toJson(sampleToken())).toJson();
        QVERIFY(!bytes.contains(TokenHash));

        ApiToken token = sampleToken();
        const FieldErrors errors =
            fromJson(parse(R"({"token_hash": "evil", "owner_id": "00000000-0000-4000-8000-000000000099",
                                                      "created": "2020-01-01T00:00:00Z", "last_used": null,
                                                      "id": "00000000-0000-4000-8000-000000000098", "version": 99})"),
                     token);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.summary()));
        compareEqual(token, sampleToken());

        // A malformed expiry is refused and does not turn into "never expires".
        QVERIFY(!fromJson(parse(R"({"expires": "soon"})"), token).isEmpty());
        QCOMPARE(token.expires, sampleToken().expires);
    }

    void resultClassificationMustBeAResultClassification()
    {
        for (const char *refused : {"degraded", "no_data"}) {
            CheckResult result = sampleResult();
            const FieldErrors errors = fromJson(
                QJsonObject{{QStringLiteral("classification"), QString::fromLatin1(refused)}}, result);
            QVERIFY2(errors.hasField(QStringLiteral("classification")), refused);
            QCOMPARE(result.classification, State::Minor);
        }
        for (State state : statesWorstFirst()) {
            if (!isResultClassification(state))
                continue;
            CheckResult result;
            QVERIFY(
                fromJson(QJsonObject{{QStringLiteral("classification"), enumName(state)}}, result).isEmpty());
            QCOMPARE(result.classification, state);
        }
    }

    void serviceMemberPluginIdOnlyForHostPlugin()
    {
        const QJsonArray dependencies = toJson(sampleService()).value(u"dependencies").toArray();
        QVERIFY(!dependencies.at(0).toObject().contains(u"plugin_id"));
        QVERIFY(!dependencies.at(1).toObject().contains(u"plugin_id"));
        QVERIFY(dependencies.at(2).toObject().contains(u"plugin_id"));
    }

    void errorsInSeveralFieldsAreAllReported()
    {
        Check check;
        const FieldErrors errors =
            fromJson(parse(R"({"name": 1, "plugins": [{"plugin_id": "x"}, 5], "enabled": "no"})"), check);
        QVERIFY(errors.hasField(QStringLiteral("name")));
        QVERIFY(errors.hasField(QStringLiteral("plugins.0.plugin_id")));
        QVERIFY(errors.hasField(QStringLiteral("plugins.1")));
        QVERIFY(errors.hasField(QStringLiteral("enabled")));
        QCOMPARE(errors.list().size(), 4);
    }
};

QTEST_APPLESS_MAIN(TestEntityjson)
#include "tst_entityjson.moc"
