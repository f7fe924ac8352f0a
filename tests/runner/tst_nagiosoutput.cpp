#include <QElapsedTimer>
#include <QTest>

#include "shared/plugin/nagiosoutput.h"

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

Metric m(const QString &name, double value, const QString &unit = {})
{
    return Metric{name, value, unit};
}

} // namespace

// Fixtures marked "captured" are real output of Debian's monitoring-plugins-basic 2.3.3.
class TestNagiosOutput : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("output");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addColumn<Metrics>("metrics");

        const int ok = int(PluginStatus::Ok), warning = int(PluginStatus::Warning),
                  critical = int(PluginStatus::Critical), unknown = int(PluginStatus::Unknown);

        QTest::newRow("captured check_load")
            << 0
            << QByteArray("LOAD OK - total load average: 0.08, 1.03, 1.49|load1=0.080;5.000;10.000;0; "
                          "load5=1.030;4.000;8.000;0; load15=1.490;3.000;6.000;0; \n")
            << ok << "LOAD OK - total load average: 0.08, 1.03, 1.49"
            << Metrics{m("load1", 0.08), m("load5", 1.03), m("load15", 1.49)};
        QTest::newRow("captured check_load -r")
            << 0
            << QByteArray(
                   "LOAD OK - scaled load average: 0.04, 0.52, 0.74 - total load average: 0.08, 1.03, 1.49|"
                   "load1=0.080;;;0; scaled_load1=0.040;5.000;10.000;0; load5=1.030;;;0; "
                   "scaled_load5=0.515;4.000;8.000;0; load15=1.490;;;0; scaled_load15=0.745;3.000;6.000;0; "
                   "\n")
            << ok << "LOAD OK - scaled load average: 0.04, 0.52, 0.74 - total load average: 0.08, 1.03, 1.49"
            << Metrics{m("load1", 0.08),         m("scaled_load1", 0.04), m("load5", 1.03),
                       m("scaled_load5", 0.515), m("load15", 1.49),       m("scaled_load15", 0.745)};
        QTest::newRow("captured check_disk, several mounts")
            << 0
            << QByteArray(
                   "DISK OK - free space: /dev 12045MiB (100% inode=99%); /dev/shm 24104MiB (99% inode=99%); "
                   "/ 78656MiB (80% inode=97%);| /dev=0B;10104078336;11367088128;0;12630097920 "
                   "/dev/shm=1048576B;20220739584;22748332032;0;25275924480 "
                   "/=20267925504B;216442024755;243497277849;0;270552530944\n")
            << ok
            << "DISK OK - free space: /dev 12045MiB (100% inode=99%); /dev/shm 24104MiB (99% inode=99%); "
               "/ 78656MiB (80% inode=97%);"
            << Metrics{m("/dev", 0, "B"), m("/dev/shm", 1048576, "B"), m("/", 20267925504.0, "B")};
        QTest::newRow("captured check_users")
            << 0 << QByteArray("USERS OK - 0 users currently logged in |users=0;5;10;0\n") << ok
            << "USERS OK - 0 users currently logged in" << Metrics{m("users", 0)};
        QTest::newRow("captured check_swap critical")
            << 2
            << QByteArray(
                   "SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of "
                   "zero size. |swap=0B;0;0;0;0\n")
            << critical
            << "SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of zero "
               "size."
            << Metrics{m("swap", 0, "B")};
        QTest::newRow("captured check_procs, trailing semicolons")
            << 2
            << QByteArray(
                   "RSS CRITICAL: 19 crit, 0 warn out of 78 processes | procs=78;;;0; procs_warn=0;;;0; "
                   "procs_crit=19;;;0;\n")
            << critical << "RSS CRITICAL: 19 crit, 0 warn out of 78 processes"
            << Metrics{m("procs", 78), m("procs_warn", 0), m("procs_crit", 19)};
        QTest::newRow("captured check_ping, ms and %")
            << 0
            << QByteArray(
                   "PING OK - Packet loss = 0%, RTA = 0.19 ms|rta=0.186000ms;100.000000;200.000000;0.000000 "
                   "pl=0%;20;50;0;\n")
            << ok << "PING OK - Packet loss = 0%, RTA = 0.19 ms"
            << Metrics{m("rta", 0.186, "ms"), m("pl", 0, "%")};
        QTest::newRow("captured check_file_age, s and B")
            << 2
            << QByteArray("FILE_AGE CRITICAL: /etc/hostname is 3776 seconds old and 3 bytes | age=3776s;1;2 "
                          "size=3B;0;0;0\n")
            << critical << "FILE_AGE CRITICAL: /etc/hostname is 3776 seconds old and 3 bytes"
            << Metrics{m("age", 3776, "s"), m("size", 3, "B")};
        QTest::newRow("captured check_tcp, no performance data")
            << 2 << QByteArray("connect to address 127.0.0.1 and port 1: Connection refused\n") << critical
            << "connect to address 127.0.0.1 and port 1: Connection refused" << Metrics{};
        QTest::newRow("captured check_dummy warning") << 1 << QByteArray("WARNING: disk almost full\n")
                                                      << warning << "WARNING: disk almost full" << Metrics{};
        QTest::newRow("captured check_load usage error")
            << 3
            << QByteArray("Warning threshold must be float or float triplet!\n\nUsage:\ncheck_load [-r] -w "
                          "WLOAD1,WLOAD5,WLOAD15 -c CLOAD1,CLOAD5,CLOAD15 [-n NUMBER_OF_PROCS]\n")
            << unknown << "Warning threshold must be float or float triplet!" << Metrics{};
        QTest::newRow("check_http style: s, B, decimals in thresholds")
            << 0
            << QByteArray("HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.001 second response time "
                          "|time=0.000512s;;;0.000000;10.000000 size=612B;;;0\n")
            << ok << "HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.001 second response time"
            << Metrics{m("time", 0.000512, "s"), m("size", 612, "B")};

        QTest::newRow("quoted label with spaces (check_nt)")
            << 0
            << QByteArray("c:\\ - total: 29.99 Gb - used: 10.06 Gb (34%) | 'c:\\ Used "
                          "Space'=10.06Gb;0.00;0.00;0.00;29.99")
            << ok << "c:\\ - total: 29.99 Gb - used: 10.06 Gb (34%)"
            << Metrics{m("c:\\ Used Space", 10.06, "Gb")};
        QTest::newRow("quoted label with = and doubled quote")
            << 0 << QByteArray("OK | 'a=b'=1 'it''s'=2c 'x y z'=3.5KB;1;2") << ok << "OK"
            << Metrics{m("a=b", 1), m("it's", 2, "c"), m("x y z", 3.5, "KB")};
        QTest::newRow("every UOM")
            << 0 << QByteArray("OK | a=1s b=2ms c=3us d=4% e=5B f=6KB g=7MB h=8GB i=9TB j=10c") << ok << "OK"
            << Metrics{m("a", 1, "s"),  m("b", 2, "ms"), m("c", 3, "us"), m("d", 4, "%"),  m("e", 5, "B"),
                       m("f", 6, "KB"), m("g", 7, "MB"), m("h", 8, "GB"), m("i", 9, "TB"), m("j", 10, "c")};
        QTest::newRow("other unit letters are kept")
            << 0 << QByteArray("OK | temp=41.5C fan=1200rpm") << ok << "OK"
            << Metrics{m("temp", 41.5, "C"), m("fan", 1200, "rpm")};
        QTest::newRow("negative, signed, exponent")
            << 0 << QByteArray("OK | a=-1.5 b=+2 c=1e3 d=.5") << ok << "OK"
            << Metrics{m("a", -1.5), m("b", 2), m("c", 1000), m("d", 0.5)};
        QTest::newRow("U is skipped")
            << 3 << QByteArray("UNKNOWN - no data | first=U;1;2 second=7;1;2 third=U") << unknown
            << "UNKNOWN - no data" << Metrics{m("second", 7)};
        QTest::newRow("malformed items are skipped, not fatal")
            << 0 << QByteArray("OK | good=1 noequals =5 bad=abc worse=1,5 also=5x5 'unterminated=3 lost=4")
            << ok << "OK" << Metrics{m("good", 1)};
        QTest::newRow("non-finite numbers are skipped")
            << 0 << QByteArray("OK | a=1e999 b=nan c=inf d=2") << ok << "OK" << Metrics{m("d", 2)};
        QTest::newRow("long output: perfdata on later lines")
            << 0
            << QByteArray("DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
                          "/ 15272 MB (77%);\n"
                          "/boot 68 MB (69%);\n"
                          "/home 69357 MB (27%);\n"
                          "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
                          "/home=69357MB;253404;253409;0;253414 \n"
                          "/var/log=818MB;970;975;0;980\n")
            << ok << "DISK OK - free space: / 3326 MB (56%);"
            << Metrics{m("/", 2643, "MB"), m("/boot", 68, "MB"), m("/home", 69357, "MB"),
                       m("/var/log", 818, "MB")};
        QTest::newRow("long output without perfdata on the first line")
            << 1 << QByteArray("WARNING: 2 services degraded\nnginx: slow\npostgres: slow | slow=2\n")
            << warning << "WARNING: 2 services degraded" << Metrics{m("slow", 2)};
        QTest::newRow("CRLF line ends")
            << 0 << QByteArray("OK - fine|a=1;2;3\r\nmore\r\n") << ok << "OK - fine" << Metrics{m("a", 1)};
        QTest::newRow("empty output") << 0 << QByteArray() << ok << "" << Metrics{};
        QTest::newRow("only perfdata") << 0 << QByteArray("|a=1") << ok << "" << Metrics{m("a", 1)};
        QTest::newRow("binary garbage")
            << 2 << QByteArray("\x00\xff\xfe garbage |\x01=\x02 \xff=1", 20) << critical
            << QString::fromUtf8(QByteArray("\x00\xff\xfe garbage", 11))
            << Metrics{m(QString::fromUtf8("\xff"), 1)};
        QTest::newRow("exit code 127 is unknown and named")
            << 127 << QByteArray("sh: 1: check_foo: not found\n") << unknown
            << "sh: 1: check_foo: not found (the plugin exited with code 127, which is not a Nagios status)"
            << Metrics{};
        QTest::newRow("exit code 4, no output")
            << 4 << QByteArray() << unknown << "the plugin exited with code 4, which is not a Nagios status"
            << Metrics{};
        QTest::newRow("negative exit code")
            << -1 << QByteArray("x") << unknown
            << "x (the plugin exited with code -1, which is not a Nagios status)" << Metrics{};
    }

    void parse()
    {
        QFETCH(int, exitCode);
        QFETCH(QByteArray, output);
        QFETCH(int, status);
        QFETCH(QString, message);
        QFETCH(Metrics, metrics);

        const RunResult result = parseNagiosOutput(exitCode, output);
        QCOMPARE(int(result.status), status);
        QCOMPARE(result.message, message);
        QCOMPARE(result.metrics, metrics);
        if (metrics.isEmpty())
            QVERIFY(!result.value);
        else
            QCOMPARE(result.value, std::optional<double>(metrics.first().value));
        QVERIFY(!result.truncated);
        QVERIFY(result.error.isEmpty());
    }

    void messageIsCapped()
    {
        const QByteArray output = QByteArray(MaxRunMessageLength + 100, 'x') + "|a=1";
        const RunResult result = parseNagiosOutput(0, output);
        QCOMPARE(result.message.size(), MaxRunMessageLength);
        QVERIFY(result.truncated);
        QCOMPARE(result.metrics, Metrics{m("a", 1)});
    }

    void metricsAreCapped()
    {
        QByteArray output = "OK |";
        for (int i = 0; i < MaxRunMetrics + 10; ++i)
            output += " m" + QByteArray::number(i) + '=' + QByteArray::number(i);
        const RunResult result = parseNagiosOutput(0, output);
        QCOMPARE(result.metrics.size(), MaxRunMetrics);
        QCOMPARE(result.metrics.last(), m(QStringLiteral("m%1").arg(MaxRunMetrics - 1), MaxRunMetrics - 1));
        QVERIFY(result.truncated);
        QCOMPARE(result.value, std::optional<double>(0));
    }

    void exactlyMaxMetricsIsNotTruncated()
    {
        QByteArray output = "OK |";
        for (int i = 0; i < MaxRunMetrics; ++i)
            output += " m" + QByteArray::number(i) + "=1";
        const RunResult result = parseNagiosOutput(0, output);
        QCOMPARE(result.metrics.size(), MaxRunMetrics);
        QVERIFY(!result.truncated);
    }

    void hugeOutputIsQuick()
    {
        // The runner caps output at MaxCapturedOutputBytes; parsing that much must stay cheap.
        QByteArray output = "OK |";
        while (output.size() < MaxCapturedOutputBytes)
            output += " 'a b'=1;2;3;4;5 junk";
        QElapsedTimer clock;
        clock.start();
        const RunResult result = parseNagiosOutput(0, output);
        QVERIFY(clock.elapsed() < 2000);
        QCOMPARE(result.metrics.size(), MaxRunMetrics);
    }
};

QTEST_APPLESS_MAIN(TestNagiosOutput)
#include "tst_nagiosoutput.moc"
