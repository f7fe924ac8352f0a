#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "daemon-core/serverchecks/serverplugins.h"
#include "shared/plugin/manifest.h"
#include "tests/classify/classifytesthelpers.h"

using namespace prophasis;
using namespace prophasis::classifytest;

namespace {

const QString PluginsDir = QStringLiteral(PROPHASIS_PLUGINS_DIR);
const QString ServerPluginsDir = PluginsDir + QStringLiteral("/server");

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The folders below `dir` that hold a plugin (a manifest.json).
QStringList pluginFolders(const QString &dir)
{
    QStringList folders;
    for (const QString &name : QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (QFile::exists(dir + QLatin1Char('/') + name + QStringLiteral("/manifest.json")))
            folders.append(name);
    return folders;
}

// A result of classifier_cases.json, with the defaults plugins/tests/harness.lua fills in.
CheckResult caseResult(const QJsonObject &json, int index)
{
    CheckResult result;
    const double time = json.value(QStringLiteral("time")).toDouble(1700000000 + 60.0 * index);
    result.time = QDateTime::fromMSecsSinceEpoch(qint64(time * 1000), Qt::UTC);
    const QString type = json.value(QStringLiteral("type")).toString(QStringLiteral("success"));
    result.type = enumFromName<ResultType>(type).value_or(ResultType::PluginError);
    if (json.value(QStringLiteral("value")).isDouble())
        result.value = json.value(QStringLiteral("value")).toDouble();
    result.message = json.value(QStringLiteral("message")).toString();
    if (json.value(QStringLiteral("status")).isString())
        result.status = enumFromName<PluginStatus>(json.value(QStringLiteral("status")).toString())
                            .value_or(PluginStatus::None);
    const QJsonObject metrics = json.value(QStringLiteral("metrics")).toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        result.metrics.append({it.key(), it.value().toDouble(), QString()});
    return result;
}

// Runs the cases of one classifier_cases.json through `source` in the real worker, as
// plugins/tests/harness.lua runs them: a case's args over the file's, both over the declared
// defaults. Fails the current test on any case that does not come out as expected.
void runCases(const QString &pluginId, const QList<PluginArgument> &declared, const QString &source,
              const QString &casesPath)
{
    const QJsonObject cases = readJson(casesPath);
    QCOMPARE(cases.value(QStringLiteral("plugin")).toString(), pluginId);
    const QJsonObject fileArgs = cases.value(QStringLiteral("args")).toObject();
    const QJsonArray list = cases.value(QStringLiteral("cases")).toArray();
    QVERIFY(list.size() >= 5);

    QList<ClassificationJob> jobs;
    QStringList names;
    QList<State> expected;
    for (const QJsonValue &value : list) {
        const QJsonObject item = value.toObject();
        QJsonObject given = fileArgs;
        const QJsonObject caseArgs = item.value(QStringLiteral("args")).toObject();
        for (auto it = caseArgs.begin(); it != caseArgs.end(); ++it)
            given.insert(it.key(), it.value());
        QString error;
        const std::optional<QJsonObject> arguments = resolveArguments(pluginId, declared, given, &error);
        QVERIFY2(arguments, qPrintable(error));

        ClassificationJob job;
        job.classifierName = pluginId;
        job.source = source;
        job.arguments = *arguments;
        const QJsonArray results = item.value(QStringLiteral("results")).toArray();
        for (qsizetype i = 0; i < results.size(); ++i)
            job.results.append(caseResult(results[i].toObject(), int(i + 1)));
        const QJsonObject vars = item.value(QStringLiteral("vars")).toObject();
        for (auto it = vars.begin(); it != vars.end(); ++it)
            job.variables.insert(it.key(), it.value().toString());
        jobs.append(job);
        names.append(item.value(QStringLiteral("name")).toString());
        const std::optional<State> state =
            enumFromName<State>(item.value(QStringLiteral("expect")).toString());
        QVERIFY(state);
        expected.append(*state);
    }

    ClassifierWorkerOptions options;
    options.workerProgram = WorkerProgram;
    options.jobTimeoutMs = 20000;
    ClassifierWorkerClient client(options);
    const std::vector<ClassificationOutcome> outcomes = classifyAll(client, jobs);
    QCOMPARE(qsizetype(outcomes.size()), jobs.size());
    for (qsizetype i = 0; i < jobs.size(); ++i) {
        const ClassificationOutcome &outcome = outcomes[std::size_t(i)];
        QVERIFY2(!outcome.failed(), qPrintable(names[i] + QStringLiteral(": ") + outcome.error));
        QVERIFY2(outcome.state == expected[i],
                 qPrintable(QStringLiteral("%1: expected %2, got %3")
                                .arg(names[i], enumName(expected[i]), enumName(outcome.state))));
    }
    // Every case of one plugin went in one batch, and one compiled classifier served them.
    QCOMPARE(client.counters().batches, quint64(1));
}

} // namespace

// Every default classifier on its fixture series (classifier_cases.json) through the real
// worker: the same cases the Lua harness runs against the same helpers, so both agree. The
// bundled plugins (plugins/<name>/) as their packages hold them; the built-in server plugins
// (plugins/server/<name>/) as the core embeds and registers them.
class TestClassifierCases : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bundledClassifiersOnFixtureSeries_data()
    {
        QTest::addColumn<QString>("plugin");
        const QStringList plugins = pluginFolders(PluginsDir);
        for (const QString &plugin : plugins) {
            QVERIFY2(QFile::exists(PluginsDir + QLatin1Char('/') + plugin +
                                   QStringLiteral("/classifier_cases.json")),
                     qPrintable(plugin + QStringLiteral(" has no classifier_cases.json")));
            QTest::newRow(qPrintable(plugin)) << plugin;
        }
        QCOMPARE(plugins.size(), 12);
    }

    void bundledClassifiersOnFixtureSeries()
    {
        QFETCH(QString, plugin);
        const QString dir = PluginsDir + QLatin1Char('/') + plugin;
        QFile manifestFile(dir + QStringLiteral("/manifest.json"));
        QVERIFY(manifestFile.open(QIODevice::ReadOnly));
        QString error;
        const std::optional<PluginManifest> manifest = parseManifest(manifestFile.readAll(), &error);
        QVERIFY2(manifest, qPrintable(error));
        QFile classifier(dir + QLatin1Char('/') + manifest->defaultClassifier);
        QVERIFY(classifier.open(QIODevice::ReadOnly));
        runCases(manifest->id, manifest->arguments, QString::fromUtf8(classifier.readAll()),
                 dir + QStringLiteral("/classifier_cases.json"));
    }

    void serverClassifiersOnFixtureSeries_data()
    {
        QTest::addColumn<Plugin>("plugin");
        const QList<Plugin> plugins = builtInServerPlugins();
        for (const Plugin &plugin : plugins)
            QTest::newRow(qPrintable(plugin.pluginId)) << plugin;
        // Each folder is built in, and each built-in plugin has a folder (its entry).
        QStringList entries;
        for (const Plugin &plugin : plugins)
            entries.append(plugin.entry);
        entries.sort();
        QCOMPARE(entries, pluginFolders(ServerPluginsDir));
    }

    void serverClassifiersOnFixtureSeries()
    {
        QFETCH(Plugin, plugin);
        runCases(plugin.pluginId, plugin.arguments, plugin.classifier.source,
                 ServerPluginsDir + QLatin1Char('/') + plugin.entry +
                     QStringLiteral("/classifier_cases.json"));
    }
};

QTEST_GUILESS_MAIN(TestClassifierCases)
#include "tst_classifiercases.moc"
