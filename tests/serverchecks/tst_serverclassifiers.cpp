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

// A result of classifier_cases.json, with the defaults plugins/tests/harness.lua fills in.
CheckResult caseResult(const QJsonObject &json, int index)
{
    CheckResult result;
    result.time = QDateTime::fromSecsSinceEpoch(1700000000 + 60 * index, Qt::UTC);
    result.type =
        enumFromName<ResultType>(json.value(QStringLiteral("type")).toString(QStringLiteral("success")))
            .value_or(ResultType::PluginError);
    if (json.value(QStringLiteral("value")).isDouble())
        result.value = json.value(QStringLiteral("value")).toDouble();
    result.message = json.value(QStringLiteral("message")).toString();
    result.status = enumFromName<PluginStatus>(json.value(QStringLiteral("status")).toString())
                        .value_or(PluginStatus::None);
    const QJsonObject metrics = json.value(QStringLiteral("metrics")).toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        result.metrics.append({it.key(), it.value().toDouble(), QString()});
    return result;
}

} // namespace

// The built-in server plugins' default classifiers, as the core embeds and registers them, on
// their fixture series (plugins/server/<name>/classifier_cases.json) through the real
// classification worker: the cases the Lua harness runs too, so both agree.
class TestServerClassifiers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void onFixtureSeries_data()
    {
        QTest::addColumn<Plugin>("plugin");
        for (const Plugin &plugin : builtInServerPlugins())
            QTest::newRow(qPrintable(plugin.pluginId)) << plugin;
    }

    void onFixtureSeries()
    {
        QFETCH(Plugin, plugin);
        QFile file(
            QStringLiteral(PROPHASIS_PLUGINS_DIR "/server/%1/classifier_cases.json").arg(plugin.entry));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject cases = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(cases.value(QStringLiteral("plugin")).toString(), plugin.pluginId);
        const QJsonArray list = cases.value(QStringLiteral("cases")).toArray();
        QVERIFY(list.size() >= 5);
        PluginManifest manifest;
        manifest.id = plugin.pluginId;
        manifest.arguments = plugin.arguments;

        QList<ClassificationJob> jobs;
        QStringList names;
        QList<State> expected;
        for (const QJsonValue &value : list) {
            const QJsonObject item = value.toObject();
            QString error;
            const std::optional<QJsonObject> arguments =
                resolveArguments(manifest, cases.value(QStringLiteral("args")).toObject(), &error);
            QVERIFY2(arguments, qPrintable(error));
            ClassificationJob job;
            job.classifierName = plugin.pluginId;
            job.source = plugin.classifier.source;
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
    }
};

QTEST_GUILESS_MAIN(TestServerClassifiers)
#include "tst_serverclassifiers.moc"
