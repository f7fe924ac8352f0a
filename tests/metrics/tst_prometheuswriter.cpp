#include <QTest>

#include <cmath>
#include <limits>

#include "daemon-core/metrics/prometheuswriter.h"
#include "tests/metrics/promtool.h"

using namespace prophasis;

// The text exposition format 0.0.4 as Prometheus parses it: help and type once per family,
// escaping, value syntax, histogram series, stable order, and refusal of what it would reject.
class TestPrometheusWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void familiesHaveHelpAndTypeOnceAndComeSorted()
    {
        PrometheusWriter writer;
        QVERIFY(writer.addGauge(QStringLiteral("b_items"), QStringLiteral("B."), 2,
                                {{QStringLiteral("x"), QStringLiteral("2")}}));
        QVERIFY(writer.addCounter(QStringLiteral("a_total"), QStringLiteral("A."), 7));
        QVERIFY(writer.addGauge(QStringLiteral("b_items"), QStringLiteral("B."), 1,
                                {{QStringLiteral("x"), QStringLiteral("1")}}));
        QCOMPARE(writer.text(), QByteArray("# HELP a_total A.\n"
                                           "# TYPE a_total counter\n"
                                           "a_total 7\n"
                                           "# HELP b_items B.\n"
                                           "# TYPE b_items gauge\n"
                                           "b_items{x=\"1\"} 1\n"
                                           "b_items{x=\"2\"} 2\n"));
        QVERIFY(writer.errors().isEmpty());
        PROPHASIS_VERIFY_PROMTOOL(writer.text());
    }

    void labelsAreSortedByNameWhateverTheOrderGiven()
    {
        PrometheusWriter one, other;
        QVERIFY(one.addGauge(
            QStringLiteral("g"), QStringLiteral("G."), 1,
            {{QStringLiteral("b"), QStringLiteral("2")}, {QStringLiteral("a"), QStringLiteral("1")}}));
        QVERIFY(other.addGauge(
            QStringLiteral("g"), QStringLiteral("G."), 1,
            {{QStringLiteral("a"), QStringLiteral("1")}, {QStringLiteral("b"), QStringLiteral("2")}}));
        QCOMPARE(one.text(), other.text());
        QVERIFY(one.text().contains("g{a=\"1\",b=\"2\"} 1\n"));
    }

    void labelValuesAndHelpAreEscaped()
    {
        PrometheusWriter writer;
        QVERIFY(writer.addGauge(QStringLiteral("escaped"),
                                QStringLiteral("Back\\slash and\nnewline \"kept\"."), 1,
                                {{QStringLiteral("path"), QStringLiteral("C:\\dir \"q\"\nnext ü")}}));
        const QByteArray text = writer.text();
        QVERIFY2(text.contains("# HELP escaped Back\\\\slash and\\nnewline \"kept\".\n"), text.constData());
        QVERIFY2(text.contains(QStringLiteral("escaped{path=\"C:\\\\dir \\\"q\\\"\\nnext ü\"} 1\n").toUtf8()),
                 text.constData());
        PROPHASIS_VERIFY_PROMTOOL(text);
    }

    void valuesAreFormattedAsPrometheusReadsThem()
    {
        QCOMPARE(PrometheusWriter::formatValue(0), QByteArray("0"));
        QCOMPARE(PrometheusWriter::formatValue(42), QByteArray("42"));
        QCOMPARE(PrometheusWriter::formatValue(-1.5), QByteArray("-1.5"));
        QCOMPARE(PrometheusWriter::formatValue(0.1), QByteArray("0.1"));
        QCOMPARE(PrometheusWriter::formatValue(1e21), QByteArray("1e+21"));
        QCOMPARE(PrometheusWriter::formatValue(9007199254740992.0), QByteArray("9007199254740992"));
        QCOMPARE(PrometheusWriter::formatValue(std::numeric_limits<double>::quiet_NaN()), QByteArray("NaN"));
        QCOMPARE(PrometheusWriter::formatValue(std::numeric_limits<double>::infinity()), QByteArray("+Inf"));
        QCOMPARE(PrometheusWriter::formatValue(-std::numeric_limits<double>::infinity()), QByteArray("-Inf"));
        PrometheusWriter writer;
        QVERIFY(writer.addGauge(QStringLiteral("odd_values"), QStringLiteral("Odd."),
                                std::numeric_limits<double>::quiet_NaN(),
                                {{QStringLiteral("v"), QStringLiteral("nan")}}));
        QVERIFY(writer.addGauge(QStringLiteral("odd_values"), QStringLiteral("Odd."),
                                std::numeric_limits<double>::infinity(),
                                {{QStringLiteral("v"), QStringLiteral("inf")}}));
        PROPHASIS_VERIFY_PROMTOOL(writer.text());
    }

    void histogramsHaveCumulativeBucketsSumAndCount()
    {
        PrometheusHistogram lateness = PrometheusHistogram::withBounds({0.1, 1, 10});
        for (double value : {0.05, 0.5, 0.7, 3.0, 60.0})
            lateness.observe(value);
        PrometheusWriter writer;
        QVERIFY(writer.addHistogram(QStringLiteral("lateness_seconds"), QStringLiteral("Lateness."), lateness,
                                    {{QStringLiteral("kind"), QStringLiteral("agent")}}));
        QCOMPARE(writer.text(), QByteArray("# HELP lateness_seconds Lateness.\n"
                                           "# TYPE lateness_seconds histogram\n"
                                           "lateness_seconds_bucket{kind=\"agent\",le=\"0.1\"} 1\n"
                                           "lateness_seconds_bucket{kind=\"agent\",le=\"1\"} 3\n"
                                           "lateness_seconds_bucket{kind=\"agent\",le=\"10\"} 4\n"
                                           "lateness_seconds_bucket{kind=\"agent\",le=\"+Inf\"} 5\n"
                                           "lateness_seconds_sum{kind=\"agent\"} 64.25\n"
                                           "lateness_seconds_count{kind=\"agent\"} 5\n"));
        PROPHASIS_VERIFY_PROMTOOL(writer.text());
    }

    void badHistogramsAreRefused()
    {
        PrometheusWriter writer;
        PrometheusHistogram unordered = PrometheusHistogram::withBounds({1, 0.5});
        QVERIFY(!writer.addHistogram(QStringLiteral("h_seconds"), QStringLiteral("H."), unordered));
        PrometheusHistogram notCumulative = PrometheusHistogram::withBounds({1, 2});
        notCumulative.cumulativeCounts = {2, 1};
        notCumulative.count = 2;
        QVERIFY(!writer.addHistogram(QStringLiteral("h_seconds"), QStringLiteral("H."), notCumulative));
        PrometheusHistogram infinite =
            PrometheusHistogram::withBounds({1, std::numeric_limits<double>::infinity()});
        QVERIFY(!writer.addHistogram(QStringLiteral("h_seconds"), QStringLiteral("H."), infinite));
        QVERIFY(!writer.addHistogram(QStringLiteral("h_seconds"), QStringLiteral("H."),
                                     PrometheusHistogram::withBounds({1}),
                                     {{QStringLiteral("le"), QStringLiteral("1")}}));
        QCOMPARE(writer.errors().size(), 4);
        QCOMPARE(writer.text(), QByteArray());
    }

    void badNamesAndClashesAreRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("label");
        QTest::newRow("empty name") << QString() << QStringLiteral("a");
        QTest::newRow("digit first") << QStringLiteral("1abc") << QStringLiteral("a");
        QTest::newRow("dash") << QStringLiteral("a-b") << QStringLiteral("a");
        QTest::newRow("space") << QStringLiteral("a b") << QStringLiteral("a");
        QTest::newRow("non-ASCII") << QStringLiteral("größe") << QStringLiteral("a");
        QTest::newRow("gauge named like a counter") << QStringLiteral("g_total") << QStringLiteral("a");
        QTest::newRow("gauge named like a histogram series")
            << QStringLiteral("g_count") << QStringLiteral("a");
        QTest::newRow("reserved label") << QStringLiteral("g") << QStringLiteral("__name__");
        QTest::newRow("label with colon") << QStringLiteral("g") << QStringLiteral("a:b");
        QTest::newRow("empty label") << QStringLiteral("g") << QString();
    }

    void badNamesAndClashesAreRefused()
    {
        QFETCH(QString, name);
        QFETCH(QString, label);
        PrometheusWriter writer;
        QVERIFY(!writer.addGauge(name, QStringLiteral("Help."), 1, {{label, QStringLiteral("v")}}));
        QCOMPARE(writer.errors().size(), 1);
        QCOMPARE(writer.text(), QByteArray());
    }

    void familyClashesAreRefused()
    {
        PrometheusWriter writer;
        QVERIFY(!writer.addCounter(QStringLiteral("no_suffix"), QStringLiteral("C."), 1));
        QVERIFY(!writer.addCounter(QStringLiteral("negative_total"), QStringLiteral("C."), -1));
        QVERIFY(!writer.addGauge(QStringLiteral("no_help"), QString(), 1));
        QVERIFY(writer.addGauge(QStringLiteral("same"), QStringLiteral("S."), 1));
        QVERIFY(!writer.addGauge(QStringLiteral("same"), QStringLiteral("S."), 2)); // same series twice
        QVERIFY(!writer.addGauge(QStringLiteral("same"), QStringLiteral("Other help."), 2,
                                 {{QStringLiteral("a"), QStringLiteral("1")}}));
        QVERIFY(!writer.addGauge(
            QStringLiteral("same"), QStringLiteral("S."), 2,
            {{QStringLiteral("a"), QStringLiteral("1")}, {QStringLiteral("a"), QStringLiteral("2")}}));
        QVERIFY(writer.addGauge(QStringLiteral("latency_seconds_sum_like"), QStringLiteral("L."), 1));
        QVERIFY(writer.addGauge(QStringLiteral("h_seconds_count_of"), QStringLiteral("L."), 1));
        QVERIFY(writer.addHistogram(QStringLiteral("h_seconds"), QStringLiteral("H."),
                                    PrometheusHistogram::withBounds({1})));
        QVERIFY(!writer.addGauge(QStringLiteral("h_seconds"), QStringLiteral("H."), 1)); // another type
        QCOMPARE(writer.errors().size(), 7);
        QCOMPARE(writer.text().count("# TYPE"), 4);
        PROPHASIS_VERIFY_PROMTOOL(writer.text());
    }
};

QTEST_GUILESS_MAIN(TestPrometheusWriter)
#include "tst_prometheuswriter.moc"
