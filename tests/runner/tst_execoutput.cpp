#include <QTest>

#include "shared/plugin/execoutput.h"

using namespace prophasis;

Q_DECLARE_METATYPE(std::optional<double>)

namespace prophasis {
// Readable QCOMPARE failures for metric lists.
char *toString(const Metric &metric);
char *toString(const Metric &metric)
{
    return QTest::toString(QStringLiteral("%1=%2%3").arg(metric.name).arg(metric.value).arg(metric.unit));
}
} // namespace prophasis

namespace {

using Metrics = QList<Metric>;

} // namespace

class TestExecOutput : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("output");
        QTest::addColumn<std::optional<double>>("value");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("status");
        QTest::addColumn<Metrics>("metrics");

        const std::optional<double> none;
        QTest::newRow("value and message")
            << QByteArray(R"({"value": 42.5, "message": "fine"})") << std::optional<double>(42.5) << "fine"
            << int(PluginStatus::None) << Metrics{};
        QTest::newRow("trailing newline and spaces")
            << QByteArray("  {\"value\": 1, \"message\": \"x\"}\n\n") << std::optional<double>(1) << "x"
            << int(PluginStatus::None) << Metrics{};
        QTest::newRow("null value") << QByteArray(R"({"value": null, "message": "no reading"})") << none
                                    << "no reading" << int(PluginStatus::None) << Metrics{};
        QTest::newRow("missing value and message")
            << QByteArray("{}") << none << "" << int(PluginStatus::None) << Metrics{};
        QTest::newRow("status") << QByteArray(R"({"value": 3, "message": "degraded", "status": "warning"})")
                                << std::optional<double>(3) << "degraded" << int(PluginStatus::Warning)
                                << Metrics{};
        QTest::newRow("every status: critical") << QByteArray(R"({"status": "critical"})") << none << ""
                                                << int(PluginStatus::Critical) << Metrics{};
        QTest::newRow("null status") << QByteArray(R"({"status": null})") << none << ""
                                     << int(PluginStatus::None) << Metrics{};
        QTest::newRow("metrics, both forms, sorted by name")
            << QByteArray(R"({"value": 0.5, "message": "load", "metrics": {"load5": 0.7,
                             "load1": {"value": 0.5, "unit": ""}, "used": {"value": 81.5, "unit": "%"}}})")
            << std::optional<double>(0.5) << "load" << int(PluginStatus::None)
            << Metrics{{"load1", 0.5, ""}, {"load5", 0.7, ""}, {"used", 81.5, "%"}};
        QTest::newRow("metric without unit, null metric skipped")
            << QByteArray(R"({"metrics": {"a": {"value": 1}, "b": null, "c": {"value": null, "unit": "s"}}})")
            << none << "" << int(PluginStatus::None) << Metrics{{"a", 1, ""}};
        QTest::newRow("unknown keys are ignored")
            << QByteArray(R"({"value": 1, "message": "m", "future": [1, 2, 3]})") << std::optional<double>(1)
            << "m" << int(PluginStatus::None) << Metrics{};
        QTest::newRow("unicode message") << QByteArray(R"({"message": "Temperatur 41 °C – ok"})") << none
                                         << "Temperatur 41 °C – ok" << int(PluginStatus::None) << Metrics{};
        QTest::newRow("negative and exponent")
            << QByteArray(R"({"value": -1.5e3})") << std::optional<double>(-1500) << ""
            << int(PluginStatus::None) << Metrics{};
    }

    void accepted()
    {
        QFETCH(QByteArray, output);
        QFETCH(std::optional<double>, value);
        QFETCH(QString, message);
        QFETCH(int, status);
        QFETCH(Metrics, metrics);

        QString error;
        const std::optional<RunResult> result = parseExecOutput(output, &error);
        QVERIFY2(result, qPrintable(error));
        QCOMPARE(result->value, value);
        QCOMPARE(result->message, message);
        QCOMPARE(int(result->status), status);
        QCOMPARE(result->metrics, metrics);
        QVERIFY(!result->truncated);
        QVERIFY(result->error.isEmpty());
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("output");
        QTest::addColumn<QString>("errorPart");

        QTest::newRow("empty") << QByteArray() << "printed nothing";
        QTest::newRow("whitespace") << QByteArray(" \n\t") << "printed nothing";
        QTest::newRow("plain text")
            << QByteArray("Traceback (most recent call last):\n  File \"x.py\"")
            << "the plugin printed no JSON object: Traceback (most recent call last): File \"x.py\"";
        QTest::newRow("array") << QByteArray("[1, 2]") << "the plugin printed no JSON object: [1, 2]";
        QTest::newRow("number") << QByteArray("42") << "the plugin printed no JSON object: 42";
        QTest::newRow("two objects") << QByteArray("{\"value\": 1}\n{\"value\": 2}\n") << "no JSON object";
        QTest::newRow("text after the object") << QByteArray("{\"value\": 1} done") << "no JSON object";
        QTest::newRow("truncated JSON") << QByteArray("{\"value\": 1, \"mess") << "no JSON object";
        QTest::newRow("NaN literal") << QByteArray("{\"value\": NaN}") << "no JSON object";
        // Qt's parser itself refuses numbers beyond double's range.
        QTest::newRow("huge number is not finite") << QByteArray("{\"value\": 1e999}") << "1e999";
        QTest::newRow("value as string")
            << QByteArray("{\"value\": \"12\"}") << "\"value\" must be a finite number or null";
        QTest::newRow("value as bool") << QByteArray("{\"value\": true}") << "\"value\"";
        QTest::newRow("message as number")
            << QByteArray("{\"message\": 5}") << "\"message\" must be a string";
        QTest::newRow("bad status") << QByteArray("{\"status\": \"fine\"}")
                                    << "\"status\" must be ok, warning, critical or unknown";
        QTest::newRow("status none") << QByteArray("{\"status\": \"none\"}") << "\"status\"";
        QTest::newRow("status as number") << QByteArray("{\"status\": 0}") << "\"status\"";
        QTest::newRow("metrics as array")
            << QByteArray("{\"metrics\": [1]}") << "\"metrics\" must be an object";
        QTest::newRow("metric as string") << QByteArray("{\"metrics\": {\"a\": \"1\"}}") << "metric \"a\"";
        QTest::newRow("metric object without value")
            << QByteArray("{\"metrics\": {\"a\": {\"unit\": \"s\"}}}") << "metric \"a\"";
        QTest::newRow("metric unit not a string")
            << QByteArray("{\"metrics\": {\"a\": {\"value\": 1, \"unit\": 5}}}")
            << "metric \"a\": \"unit\" must be a string";
        QTest::newRow("metric not finite") << QByteArray("{\"metrics\": {\"a\": 1e400}}") << "1e400";
    }

    void refused()
    {
        QFETCH(QByteArray, output);
        QFETCH(QString, errorPart);
        QString error;
        QVERIFY(!parseExecOutput(output, &error));
        QVERIFY2(error.contains(errorPart), qPrintable(error));
    }

    void previewIsShortAndReadable()
    {
        QByteArray output = "no json here\x01\x02\n";
        output += QByteArray(1000, 'x');
        QString error;
        QVERIFY(!parseExecOutput(output, &error));
        QVERIFY2(error.size() < 300, qPrintable(error));
        QVERIFY(error.endsWith(QStringLiteral("…")));
        QVERIFY(!error.contains(QChar(1)));
        QVERIFY(error.contains(QStringLiteral("no json here")));
    }

    void messageIsCapped()
    {
        const QByteArray output = "{\"message\": \"" + QByteArray(MaxRunMessageLength * 2, 'm') + "\"}";
        QString error;
        const std::optional<RunResult> result = parseExecOutput(output, &error);
        QVERIFY(result);
        QCOMPARE(result->message.size(), MaxRunMessageLength);
        QVERIFY(result->truncated);
    }

    void metricsAreCapped()
    {
        QByteArray output = "{\"metrics\": {";
        for (int i = 0; i < MaxRunMetrics + 5; ++i)
            output += (i ? "," : "") + QByteArray("\"m") + QByteArray::number(1000 + i) +
                      "\": " + QByteArray::number(i);
        output += "}}";
        QString error;
        const std::optional<RunResult> result = parseExecOutput(output, &error);
        QVERIFY2(result, qPrintable(error));
        QCOMPARE(result->metrics.size(), MaxRunMetrics);
        QCOMPARE(result->metrics.first().name, QStringLiteral("m1000"));
        QVERIFY(result->truncated);
    }
};

QTEST_APPLESS_MAIN(TestExecOutput)
#include "tst_execoutput.moc"
