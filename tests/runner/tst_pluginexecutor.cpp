#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "daemon-agent/runner/capabilities.h"
#include "daemon-agent/runner/pluginexecutor.h"
#include "daemon-agent/runner/subreaper.h"

using namespace prophasis;

namespace {

const QString NagiosPlugins = QStringLiteral("/usr/lib/nagios/plugins");

PluginManifest manifest(PluginRuntime runtime, const QString &entry, const QStringList &commandArguments = {})
{
    PluginManifest result;
    result.id = QStringLiteral("org.prophasis.test");
    result.name = QStringLiteral("test");
    result.version = QStringLiteral("1.2.3");
    result.runtime = runtime;
    result.entry = entry;
    result.commandArguments = commandArguments;
    return result;
}

// Runs one plugin to its end; nullopt when `done` was not called exactly once, later.
std::optional<RunResult> runPlugin(const PluginManifest &plugin, const QString &directory,
                                   const QJsonObject &arguments = {}, int timeoutMs = 10'000)
{
    PluginExecutor executor;
    int calls = 0;
    std::optional<RunResult> result;
    executor.run(plugin, directory, arguments, timeoutMs, [&](RunResult done) {
        ++calls;
        result = std::move(done);
    });
    if (calls != 0)
        return std::nullopt; // must not be called from inside run()
    if (!QTest::qWaitFor([&] { return calls > 0; }, 30'000))
        return std::nullopt;
    QTest::qWait(0);
    if (calls != 1 || executor.runningCount() != 0)
        return std::nullopt;
    return result;
}

QString metricNames(const RunResult &result)
{
    QStringList names;
    for (const Metric &metric : result.metrics)
        names.append(metric.name);
    return names.join(u',');
}

} // namespace

class TestPluginExecutor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(becomeSubreaper());
        QVERIFY(m_packages.isValid());
        qputenv("PROPHASIS_TEST_SECRET", "s3cret");
    }

    // Pure pieces.

    void expandArguments_data()
    {
        QTest::addColumn<QStringList>("templates");
        QTest::addColumn<QJsonObject>("arguments");
        QTest::addColumn<QStringList>("expected");
        const QJsonObject args{
            {"warning", "80"},           {"critical", 90},           {"ratio", 0.25}, {"verbose", true},
            {"path", "/var/log/my app"}, {"none", QJsonValue::Null}, {"empty", ""}};
        QTest::newRow("plain") << QStringList{"-w", "{warning}", "-c", "{critical}"} << args
                               << QStringList{"-w", "80", "-c", "90"};
        QTest::newRow("numbers and booleans")
            << QStringList{"{ratio}", "{verbose}"} << args << QStringList{"0.25", "true"};
        QTest::newRow("spaces stay one argument")
            << QStringList{"{path}"} << args << QStringList{"/var/log/my app"};
        QTest::newRow("embedded") << QStringList{"--path={path}", "{warning}%:{critical}%"} << args
                                  << QStringList{"--path=/var/log/my app", "80%:90%"};
        QTest::newRow("whole element without value is dropped")
            << QStringList{"-a", "{none}", "{absent}", "-b"} << args << QStringList{"-a", "-b"};
        QTest::newRow("empty string is a value") << QStringList{"{empty}"} << args << QStringList{""};
        QTest::newRow("embedded without value becomes empty")
            << QStringList{"--x={absent}"} << args << QStringList{"--x="};
        QTest::newRow("not placeholders") << QStringList{"{}", "{1x}", "{a b}", "{{warning}}", "{"} << args
                                          << QStringList{"{}", "{1x}", "{a b}", "{80}", "{"};
        QTest::newRow("no shell expansion")
            << QStringList{"$(id)", "`id`", "*"} << args << QStringList{"$(id)", "`id`", "*"};
        QTest::newRow("value with braces is not expanded again")
            << QStringList{"{a}"} << QJsonObject{{"a", "{b}"}, {"b", "x"}} << QStringList{"{b}"};
    }

    void expandArguments()
    {
        QFETCH(QStringList, templates);
        QFETCH(QJsonObject, arguments);
        QFETCH(QStringList, expected);
        QCOMPARE(expandCommandArguments(templates, arguments), expected);
    }

    void environment()
    {
        const QProcessEnvironment environment =
            pluginEnvironment(QStringLiteral("/pkg"),
                              QJsonObject{{"warning", 80}, {"my-path", "/x"}, {"none", QJsonValue::Null}});
        QStringList keys = environment.keys();
        keys.sort();
        QCOMPARE(keys, (QStringList{"HOME", "LANG", "PATH", "PROPHASIS_ARG_MY_PATH", "PROPHASIS_ARG_WARNING",
                                    "PROPHASIS_PLUGIN_DIR"}));
        QCOMPARE(environment.value("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin"));
        QCOMPARE(environment.value("LANG"), QStringLiteral("C.UTF-8"));
        QCOMPARE(environment.value("HOME"), QStringLiteral("/pkg"));
        QCOMPARE(environment.value("PROPHASIS_ARG_WARNING"), QStringLiteral("80"));
    }

    void capabilities_data()
    {
        QTest::addColumn<QStringList>("declared");
        QTest::addColumn<quint64>("granted");
        QTest::addColumn<QStringList>("missing");
        const quint64 rawio = quint64(1) << 17, readSearch = quint64(1) << 2;
        QTest::newRow("none declared") << QStringList{} << quint64(0) << QStringList{};
        QTest::newRow("granted") << QStringList{"CAP_SYS_RAWIO"} << rawio << QStringList{};
        QTest::newRow("missing") << QStringList{"CAP_SYS_RAWIO", "CAP_DAC_READ_SEARCH"} << rawio
                                 << QStringList{"CAP_DAC_READ_SEARCH"};
        QTest::newRow("any case, prefix optional")
            << QStringList{"cap_dac_read_search", "sys_rawio"} << (rawio | readSearch) << QStringList{};
        QTest::newRow("highest known")
            << QStringList{"CAP_CHECKPOINT_RESTORE"} << (quint64(1) << 40) << QStringList{};
        QTest::newRow("unknown name counts as missing")
            << QStringList{"CAP_FLY"} << ~quint64(0) << QStringList{"CAP_FLY"};
    }

    void capabilities()
    {
        QFETCH(QStringList, declared);
        QFETCH(quint64, granted);
        QFETCH(QStringList, missing);
        QCOMPARE(missingCapabilities(declared, granted), missing);
    }

    void capabilitiesOfThisProcess()
    {
        QVERIFY(capabilitiesForPlugins());
        QCOMPARE(capabilityNumber(QStringLiteral("CAP_CHOWN")), std::optional<int>(0));
        QCOMPARE(capabilityNumber(QStringLiteral("CAP_SYS_RAWIO")), std::optional<int>(17));
        QCOMPARE(capabilityNumber(QStringLiteral("CAP_NOPE")), std::nullopt);
    }

    // exec plugins.

    void execJson()
    {
        const QString dir =
            package(QStringLiteral("exec-json"),
                    "echo '{\"value\": 12.5, \"message\": \"all good\", \"status\": \"ok\", "
                    "\"metrics\": {\"used\": {\"value\": 81, \"unit\": \"%\"}, \"free\": 19}}'");
        const std::optional<RunResult> result = runPlugin(manifest(PluginRuntime::Exec, "plugin.sh"), dir);
        QVERIFY(result);
        QVERIFY2(result->error.isEmpty(), qPrintable(result->message));
        QCOMPARE(result->value, std::optional<double>(12.5));
        QCOMPARE(result->message, QStringLiteral("all good"));
        QCOMPARE(result->status, PluginStatus::Ok);
        QCOMPARE(metricNames(*result), QStringLiteral("free,used"));
        QCOMPARE(result->metrics[1].unit, QStringLiteral("%"));
        QCOMPARE(result->pluginVersion, QStringLiteral("1.2.3"));
        QVERIFY(result->durationMs >= 0 && result->durationMs < 10'000);
        QVERIFY(!result->truncated);
    }

    void execArgumentsEverywhere()
    {
        // argv, PROPHASIS_ARG_*, stdin; working directory and HOME are the package folder.
        const QString dir = package(QStringLiteral("exec-args"),
                                    "printf '%s\\n' \"$@\" > args.txt\n"
                                    "env > env.txt\n"
                                    "cat > stdin.txt\n"
                                    "pwd -P > pwd.txt\n"
                                    "printf '{\"value\": %d, \"message\": \"%s\"}' $# \"$HOME\"\n");
        const PluginManifest plugin = manifest(
            PluginRuntime::Exec, "plugin.sh", {"--path", "{path}", "{flag}", "--level={level}", "{missing}"});
        const QJsonObject arguments{
            {"path", "/var/log/my app"}, {"level", 3}, {"flag", true}, {"missing", QJsonValue::Null}};
        const std::optional<RunResult> result = runPlugin(plugin, dir, arguments);
        QVERIFY(result);
        QVERIFY2(result->error.isEmpty(), qPrintable(result->message));
        QCOMPARE(result->value, std::optional<double>(4));
        QCOMPARE(result->message, dir);

        QCOMPARE(read(dir + "/args.txt"), QByteArray("--path\n/var/log/my app\ntrue\n--level=3\n"));
        QCOMPARE(QJsonDocument::fromJson(read(dir + "/stdin.txt")).object(), arguments);
        QCOMPARE(QString::fromUtf8(read(dir + "/pwd.txt").trimmed()), QDir(dir).canonicalPath());
        const QList<QByteArray> env = read(dir + "/env.txt").split('\n');
        QVERIFY(env.contains("PROPHASIS_ARG_PATH=/var/log/my app"));
        QVERIFY(env.contains("PROPHASIS_ARG_LEVEL=3"));
        QVERIFY(env.contains("PROPHASIS_ARG_FLAG=true"));
        QVERIFY(env.contains("PATH=/usr/local/bin:/usr/bin:/bin"));
        QVERIFY(env.contains("LANG=C.UTF-8"));
        QVERIFY(env.contains("HOME=" + dir.toUtf8()));
        for (const QByteArray &line : env) {
            QVERIFY2(!line.startsWith("PROPHASIS_ARG_MISSING"), line.constData());
            QVERIFY2(!line.contains("s3cret"), line.constData());
        }
    }

    void execBadOutput_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<QString>("message");
        QTest::newRow("text") << QByteArray("echo 'hello there'; echo 'python: oops' >&2")
                              << "the plugin printed no JSON object: hello there: python: oops";
        QTest::newRow("nothing") << QByteArray("true") << "the plugin printed nothing";
        QTest::newRow("array") << QByteArray("echo '[1]'") << "the plugin printed no JSON object: [1]";
        QTest::newRow("two objects") << QByteArray("echo '{}'; echo '{}'")
                                     << "the plugin printed no JSON object: {} {}";
        QTest::newRow("wrong type")
            << QByteArray("echo '{\"value\": \"high\"}'")
            << "the plugin's JSON output is not a run result: \"value\" must be a finite number or null";
        QTest::newRow("too much output")
            << QByteArray("printf '{\"message\": \"'; yes x | head -c 800000 | tr -d '\\n'; echo '\"}'")
            << "the plugin printed no JSON object: {\"message\": \"xxx";
        QTest::newRow("non-zero exit") << QByteArray("echo '{\"value\": 1}'; echo 'disk gone' >&2; exit 3")
                                       << "the plugin exited with code 3: disk gone";
        QTest::newRow("non-zero exit, stdout only")
            << QByteArray("echo 'usage: plugin.sh PATH'; exit 64")
            << "the plugin exited with code 64: usage: plugin.sh PATH";
        QTest::newRow("signal") << QByteArray("echo 'about to die' >&2; kill -KILL $$")
                                << "the plugin was killed by signal 9 (SIGKILL): about to die";
    }

    void execBadOutput()
    {
        QFETCH(QByteArray, script);
        QFETCH(QString, message);
        const QString dir = package(QStringLiteral("exec-bad-%1").arg(QTest::currentDataTag()), script);
        const std::optional<RunResult> result = runPlugin(manifest(PluginRuntime::Exec, "plugin.sh"), dir);
        QVERIFY(result);
        QCOMPARE(result->error, QStringLiteral("plugin_error"));
        QVERIFY2(result->message.startsWith(message), qPrintable(result->message));
        QCOMPARE(result->pluginVersion, QStringLiteral("1.2.3"));
        QVERIFY(!result->value);
        QCOMPARE(result->status, PluginStatus::None);
        if (QByteArray(QTest::currentDataTag()) == "too much output") {
            QVERIFY(result->truncated);
            QVERIFY(result->message.contains(QStringLiteral("cut at %1 bytes").arg(MaxCapturedOutputBytes)));
        }
    }

    void execTimeout()
    {
        const QString dir =
            package(QStringLiteral("exec-timeout"), "echo '{}'; setsid sleep 1000 & sleep 1000");
        const std::optional<RunResult> result =
            runPlugin(manifest(PluginRuntime::Exec, "plugin.sh"), dir, {}, 300);
        QVERIFY(result);
        QCOMPARE(result->error, QStringLiteral("timeout"));
        QCOMPARE(result->message, QStringLiteral("the plugin did not finish within 0.3 s and was stopped"));
        QVERIFY(result->durationMs >= 300);
        QCOMPARE(result->pluginVersion, QStringLiteral("1.2.3"));
    }

    void manifestTimeoutIsTheDefault()
    {
        const QString dir = package(QStringLiteral("exec-manifest-timeout"), "sleep 1000");
        PluginManifest plugin = manifest(PluginRuntime::Exec, "plugin.sh");
        plugin.timeoutSeconds = 1;
        const std::optional<RunResult> result = runPlugin(plugin, dir, {}, 0);
        QVERIFY(result);
        QCOMPARE(result->message, QStringLiteral("the plugin did not finish within 1 s and was stopped"));
    }

    void permissionProblemNamesCapabilities()
    {
        const QString dir = package(QStringLiteral("exec-eacces"),
                                    "echo 'smartctl: /dev/sda: Permission denied' >&2; exit 2");
        PluginManifest plugin = manifest(PluginRuntime::Exec, "plugin.sh");
        plugin.capabilities = {QStringLiteral("CAP_SYS_RAWIO")};
        std::optional<RunResult> result = runPlugin(plugin, dir);
        QVERIFY(result);
        QCOMPARE(result->error, QStringLiteral("plugin_error"));
        QVERIFY2(
            result->message.startsWith(QStringLiteral("the plugin exited with code 2: smartctl: /dev/sda: "
                                                      "Permission denied (this plugin needs CAP_SYS_RAWIO")),
            qPrintable(result->message));

        // A capability the agent cannot hand on is named as missing (a made-up one never is
        // granted, whoever runs the test).
        plugin.capabilities = {QStringLiteral("CAP_SYS_RAWIO"), QStringLiteral("CAP_FLY")};
        result = runPlugin(plugin, dir);
        QVERIFY(result);
        QVERIFY2(result->message.contains(QStringLiteral("which the agent was not given: grant ")),
                 qPrintable(result->message));
        QVERIFY2(result->message.contains(
                     QStringLiteral("CAP_FLY to the agent's service, e.g. AmbientCapabilities=")),
                 qPrintable(result->message));

        // Without declared capabilities there is nothing to suggest.
        plugin.capabilities.clear();
        result = runPlugin(plugin, dir);
        QVERIFY(result);
        QCOMPARE(result->message,
                 QStringLiteral("the plugin exited with code 2: smartctl: /dev/sda: Permission denied"));
    }

    void cannotStart_data()
    {
        QTest::addColumn<int>("runtime");
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing entry") << int(PluginRuntime::Exec) << "nope.sh"
                                       << "the plugin could not be started: ";
        QTest::newRow("outside the package") << int(PluginRuntime::Exec) << "../exec-json/plugin.sh"
                                             << "the entry ../exec-json/plugin.sh is outside the package";
        QTest::newRow("absolute exec entry") << int(PluginRuntime::Exec) << "/bin/true"
                                             << "the entry /bin/true is outside the package";
        QTest::newRow("lua") << int(PluginRuntime::Lua) << "main.lua"
                             << "runtime lua is not run as a program";
        QTest::newRow("missing host plugin")
            << int(PluginRuntime::Nagios) << "/usr/lib/nagios/plugins/check_nope"
            << "the plugin could not be started: /usr/lib/nagios/plugins/check_nope does not exist";
    }

    void cannotStart()
    {
        QFETCH(int, runtime);
        QFETCH(QString, entry);
        QFETCH(QString, message);
        const QString dir = package(QStringLiteral("cannot-start"), "true");
        const std::optional<RunResult> result = runPlugin(manifest(PluginRuntime(runtime), entry), dir);
        QVERIFY(result);
        QCOMPARE(result->error, QStringLiteral("plugin_error"));
        QVERIFY2(result->message.startsWith(message), qPrintable(result->message));
        QCOMPARE(result->pluginVersion, QStringLiteral("1.2.3"));
    }

    void notExecutable()
    {
        const QString dir = package(QStringLiteral("not-executable"), "true");
        QVERIFY(QFile::setPermissions(dir + "/plugin.sh", QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        const std::optional<RunResult> result = runPlugin(manifest(PluginRuntime::Exec, "plugin.sh"), dir);
        QVERIFY(result);
        QCOMPARE(result->message,
                 QStringLiteral(
                     "the plugin could not be started: %1/plugin.sh is not executable (Permission denied)")
                     .arg(dir));
    }

    // nagios plugins.

    void nagiosScriptInPackage_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("metrics");
        QTest::newRow("warning with perfdata")
            << QByteArray("echo 'DISK WARNING - / 91% | /=91%;90;95;0;100'; exit 1")
            << int(PluginStatus::Warning) << "DISK WARNING - / 91%"
            << "/";
        QTest::newRow("stderr only") << QByteArray("echo 'check_x: cannot connect' >&2; exit 3")
                                     << int(PluginStatus::Unknown) << "check_x: cannot connect"
                                     << "";
        QTest::newRow("silent") << QByteArray("exit 2") << int(PluginStatus::Critical)
                                << "the plugin printed nothing (exit code 2)"
                                << "";
        QTest::newRow("permission problem")
            << QByteArray("echo 'LOG CRITICAL - cannot read /var/log/syslog: Permission denied'; exit 2")
            << int(PluginStatus::Critical)
            << "LOG CRITICAL - cannot read /var/log/syslog: Permission denied (this plugin needs "
               "CAP_DAC_READ_SEARCH"
            << "";
    }

    void nagiosScriptInPackage()
    {
        QFETCH(QByteArray, script);
        QFETCH(int, status);
        QFETCH(QString, message);
        QFETCH(QString, metrics);
        const QString dir = package(QStringLiteral("nagios-%1").arg(QTest::currentDataTag()), script);
        PluginManifest plugin = manifest(PluginRuntime::Nagios, "plugin.sh");
        plugin.capabilities = {QStringLiteral("CAP_DAC_READ_SEARCH")};
        const std::optional<RunResult> result = runPlugin(plugin, dir);
        QVERIFY(result);
        QVERIFY(result->error.isEmpty());
        QCOMPARE(int(result->status), status);
        QVERIFY2(result->message.startsWith(message), qPrintable(result->message));
        QCOMPARE(metricNames(*result), metrics);
    }

    void checkDummy_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("0") << 0 << int(PluginStatus::Ok) << "OK: all fine here";
        QTest::newRow("1") << 1 << int(PluginStatus::Warning) << "WARNING: all fine here";
        QTest::newRow("2") << 2 << int(PluginStatus::Critical) << "CRITICAL: all fine here";
        QTest::newRow("3") << 3 << int(PluginStatus::Unknown) << "UNKNOWN: all fine here";
        QTest::newRow("7 is refused by check_dummy itself")
            << 7 << int(PluginStatus::Unknown) << "UNKNOWN: Status 7 is not a supported error state";
    }

    void checkDummy()
    {
        requireMonitoringPlugins();
        QFETCH(int, state);
        QFETCH(int, status);
        QFETCH(QString, message);
        const PluginManifest plugin =
            manifest(PluginRuntime::Nagios, NagiosPlugins + "/check_dummy", {"{state}", "{text}"});
        const std::optional<RunResult> result = runPlugin(plugin, package(QStringLiteral("dummy"), "true"),
                                                          {{"state", state}, {"text", "all fine here"}});
        QVERIFY(result);
        QVERIFY(result->error.isEmpty());
        QCOMPARE(int(result->status), status);
        QCOMPARE(result->message, message);
        QVERIFY(result->metrics.isEmpty());
        QVERIFY(!result->value);
        QCOMPARE(result->pluginVersion, QStringLiteral("1.2.3"));
    }

    void checkLoad()
    {
        requireMonitoringPlugins();
        const PluginManifest plugin = manifest(PluginRuntime::Nagios, NagiosPlugins + "/check_load",
                                               {"-w", "{warning}", "-c", "{critical}"});
        const std::optional<RunResult> result =
            runPlugin(plugin, package(QStringLiteral("load"), "true"),
                      {{"warning", "500,500,500"}, {"critical", "900,900,900"}});
        QVERIFY(result);
        QVERIFY2(result->error.isEmpty(), qPrintable(result->message));
        QCOMPARE(result->status, PluginStatus::Ok);
        QVERIFY2(result->message.startsWith(QStringLiteral("LOAD OK - total load average: ")),
                 qPrintable(result->message));
        QCOMPARE(metricNames(*result), QStringLiteral("load1,load5,load15"));
        QVERIFY(result->value);
        QCOMPARE(*result->value, result->metrics[0].value);
        for (const Metric &metric : result->metrics)
            QVERIFY(metric.value >= 0 && metric.value < 500);
    }

    void checkLoadUsageError()
    {
        requireMonitoringPlugins();
        const PluginManifest plugin =
            manifest(PluginRuntime::Nagios, NagiosPlugins + "/check_load", {"-w", "{warning}"});
        const std::optional<RunResult> result =
            runPlugin(plugin, package(QStringLiteral("load"), "true"), {{"warning", "abc"}});
        QVERIFY(result);
        QCOMPARE(result->status, PluginStatus::Unknown);
        QCOMPARE(result->message, QStringLiteral("Warning threshold must be float or float triplet!"));
    }

    void checkUsersAndDisk()
    {
        requireMonitoringPlugins();
        std::optional<RunResult> result = runPlugin(
            manifest(PluginRuntime::Nagios, NagiosPlugins + "/check_users", {"-w", "1000", "-c", "2000"}),
            package(QStringLiteral("users"), "true"));
        QVERIFY(result);
        QCOMPARE(result->status, PluginStatus::Ok);
        QCOMPARE(metricNames(*result), QStringLiteral("users"));

        result = runPlugin(manifest(PluginRuntime::Nagios, NagiosPlugins + "/check_disk",
                                    {"-w", "0%", "-c", "0%", "-p", "{path}"}),
                           package(QStringLiteral("disk"), "true"), {{"path", "/"}});
        QVERIFY(result);
        QVERIFY2(result->message.startsWith(QStringLiteral("DISK ")), qPrintable(result->message));
        QCOMPARE(metricNames(*result), QStringLiteral("/"));
        QCOMPARE(result->metrics[0].unit, QStringLiteral("B"));
    }

    void severalAtOnce()
    {
        const QString dir =
            package(QStringLiteral("parallel"), "sleep 0.2; echo \"{\\\"value\\\": $PROPHASIS_ARG_N}\"");
        PluginExecutor executor;
        QList<double> values;
        for (int i = 0; i < 6; ++i)
            executor.run(manifest(PluginRuntime::Exec, "plugin.sh"), dir, {{"n", i}}, 10'000,
                         [&](RunResult result) { values.append(result.value.value_or(-1)); });
        QCOMPARE(executor.runningCount(), 6);
        QTRY_COMPARE(values.size(), 6);
        std::sort(values.begin(), values.end());
        QCOMPARE(values, (QList<double>{0, 1, 2, 3, 4, 5}));
        QTRY_COMPARE(executor.runningCount(), 0);
    }

private:
    // A package folder holding plugin.sh with `body`.
    QString package(const QString &name, const QByteArray &body)
    {
        const QString dir = m_packages.filePath(name);
        QDir().mkpath(dir);
        QFile file(dir + QStringLiteral("/plugin.sh"));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(file.fileName()));
        file.write("#!/bin/sh\n" + body + '\n');
        file.close();
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        return QDir(dir).canonicalPath();
    }

    static QByteArray read(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static void requireMonitoringPlugins()
    {
        if (!QFile::exists(NagiosPlugins + QStringLiteral("/check_load")))
            QSKIP("monitoring-plugins-basic is not installed (/usr/lib/nagios/plugins); scripts/deps.sh "
                  "--test installs it");
    }

    QTemporaryDir m_packages;
};

QTEST_GUILESS_MAIN(TestPluginExecutor)
#include "tst_pluginexecutor.moc"
