#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "shared/plugin/manifest.h"
#include "tests/classify/classifytesthelpers.h"

using namespace prophasis;
using namespace prophasis::classifytest;

namespace {

const QString PluginsDir = QStringLiteral(PROPHASIS_PLUGINS_DIR);

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
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

} // namespace

// Every bundled plugin's default classifier on its fixture series (plugins/<name>/
// classifier_cases.json) through the real worker: the same cases the Lua harness runs against
// the same helpers, so both agree.
class TestClassifierCases : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bundledClassifiersOnFixtureSeries_data()
    {
        QTest::addColumn<QString>("plugin");
        const QStringList plugins = QDir(PluginsDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        int withCases = 0;
        for (const QString &plugin : plugins) {
            if (!QFile::exists(PluginsDir + QLatin1Char('/') + plugin + QStringLiteral("/manifest.json")))
                continue;
            QVERIFY2(QFile::exists(PluginsDir + QLatin1Char('/') + plugin +
                                   QStringLiteral("/classifier_cases.json")),
                     qPrintable(plugin + QStringLiteral(" has no classifier_cases.json")));
            QTest::newRow(qPrintable(plugin)) << plugin;
            ++withCases;
        }
        QCOMPARE(withCases, 12);
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
        const QString source = QString::fromUtf8(classifier.readAll());

        const QJsonObject cases = readJson(dir + QStringLiteral("/classifier_cases.json"));
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
            const std::optional<QJsonObject> arguments = resolveArguments(*manifest, given, &error);
            QVERIFY2(arguments, qPrintable(error));

            ClassificationJob job;
            job.classifierName = plugin;
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
};

QTEST_GUILESS_MAIN(TestClassifierCases)
#include "tst_classifiercases.moc"
