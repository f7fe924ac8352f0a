#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include "shared/enrollment/pairingstrings.h"
#include "shared/http/httpsserver.h"
#include "shared/tls/identity.h"
#include "tests/health/httpsprobe.h"
#include "tests/health/notifysocket.h"

using namespace prophasis;

// The programs' command lines (SPEC §9), run as real processes.
class TestCli : public QObject
{
    Q_OBJECT

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    static Run run(const QString &program, const QStringList &arguments, int timeoutMs = 30'000)
    {
        QProcess process;
        process.start(program, arguments);
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

    // Starts a daemon, waits for `readyText` in its log, sends `signalNumber`, returns its exit code.
    static int runUntilSignal(const QString &program, const QStringList &arguments, const QString &readyText,
                              int signalNumber, QString *log)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        if (!process.waitForStarted())
            return -2;
        QString output;
        QDeadlineTimer deadline(20'000);
        while (!output.contains(readyText) && !deadline.hasExpired() &&
               process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            output += QString::fromUtf8(process.readAll());
        }
        if (!output.contains(readyText)) {
            *log = output;
            process.kill();
            process.waitForFinished();
            return -3;
        }
        ::kill(pid_t(process.processId()), signalNumber);
        const bool finished = process.waitForFinished(10'000);
        output += QString::fromUtf8(process.readAll());
        *log = output;
        if (!finished) {
            process.kill();
            process.waitForFinished();
            return -4;
        }
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

    // Reads a daemon's merged output until `text` appears; false at the deadline or its exit.
    static bool waitForLog(QProcess &process, const QString &text, QString *output, int timeoutMs = 20'000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!output->contains(text) && !deadline.hasExpired() && process.state() != QProcess::NotRunning) {
            process.waitForReadyRead(200);
            *output += QString::fromUtf8(process.readAll());
        }
        *output += QString::fromUtf8(process.readAll());
        return output->contains(text);
    }

    // SIGTERM, then the exit code of a clean exit (-1 otherwise).
    static int terminate(QProcess &process, QString *output)
    {
        ::kill(pid_t(process.processId()), SIGTERM);
        const bool finished = process.waitForFinished(20'000);
        *output += QString::fromUtf8(process.readAll());
        if (!finished) {
            process.kill();
            process.waitForFinished();
            return -1;
        }
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

    // `prophasis-core run` on loopback and any free port: tests never take port 4049 on every
    // address (other test runs on this machine may hold it).
    static QStringList coreRun(const QString &dataDir, const QStringList &more = {})
    {
        return QStringList{QStringLiteral("run"),      QStringLiteral("--data-dir"), dataDir,
                           QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),  QStringLiteral("--port"),
                           QStringLiteral("0")} +
               more;
    }

    // The port a core started with --port 0 listens on, from its log.
    static quint16 listeningPort(const QString &output)
    {
        const QRegularExpressionMatch port =
            QRegularExpression(QStringLiteral("listening for HTTPS on 127\\.0\\.0\\.1:(\\d+)")).match(output);
        return port.hasMatch() ? quint16(port.captured(1).toUInt()) : 0;
    }

    static quint16 freeLoopbackPort()
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost))
            return 0;
        return probe.serverPort();
    }

    const QString core = QStringLiteral(PROPHASIS_CORE_BINARY);
    const QString agent = QStringLiteral(PROPHASIS_AGENT_BINARY);

    static QJsonObject readJson(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object()
                                              : QJsonObject();
    }

    static void writeJson(const QString &path, const QJsonObject &json)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(json).toJson());
    }

private Q_SLOTS:
    void helpAndVersion_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("name");
        QTest::newRow("core") << core << QStringLiteral("prophasis-core");
        QTest::newRow("agent") << agent << QStringLiteral("prophasis-agent");
#ifdef PROPHASIS_CONSOLE_BINARY
        QTest::newRow("console") << QStringLiteral(PROPHASIS_CONSOLE_BINARY)
                                 << QStringLiteral("prophasis-console");
#endif
    }

    void helpAndVersion()
    {
        QFETCH(QString, program);
        QFETCH(QString, name);
        const Run version = run(program, {QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.contains(name + u' ' + QStringLiteral(PROPHASIS_VERSION)),
                 qPrintable(version.out));
        const Run help = run(program, {QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains(QStringLiteral("Usage")), qPrintable(help.out));
    }

    void subcommandHelp()
    {
        const Run help = run(core, {QStringLiteral("init"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char *option :
             {"--data-dir", "--database", "--database-url-file", "--admin-password-file"})
            QVERIFY2(help.out.contains(QLatin1String(option)), option);
        const Run runHelp = run(core, {QStringLiteral("run"), QStringLiteral("--help")});
        QCOMPARE(runHelp.exitCode, 0);
        for (const char *option :
             {"--data-dir", "--port", "--listen", "--status-listen", "--tls-cert", "--tls-key"})
            QVERIFY2(runHelp.out.contains(QLatin1String(option)), option);
        const Run agentHelp = run(agent, {QStringLiteral("init"), QStringLiteral("--help")});
        for (const char *option : {"--config-dir", "--port", "--listen", "--signatures"})
            QVERIFY2(agentHelp.out.contains(QLatin1String(option)), option);
    }

    void usageErrorsExitWithTwo()
    {
        QCOMPARE(run(core, {}).exitCode, 2);
        const Run unknown = run(core, {QStringLiteral("launch")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(QStringLiteral("unknown command 'launch'")));
        const Run badOption = run(agent, {QStringLiteral("run"), QStringLiteral("--colour")});
        QCOMPARE(badOption.exitCode, 2);
        QVERIFY2(badOption.err.contains(QStringLiteral("colour")), qPrintable(badOption.err));
    }

    void coreInitAndRun()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("core"));
        const Run init = run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data});
        QCOMPARE(init.exitCode, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("Admin password: [A-Za-z0-9]{20}\n"))
                     .match(init.out)
                     .hasMatch(),
                 qPrintable(init.out));
        QVERIFY(QFile::exists(data + QStringLiteral("/prophasis.db")));
        QVERIFY(QFile::exists(data + QStringLiteral("/core.json")));
        QVERIFY(QFile::exists(data + QStringLiteral("/secrets.key")));
        const QRegularExpressionMatch fingerprint =
            QRegularExpression(
                QStringLiteral("Core key fingerprint \\(SHA-256 of its public key\\): ([0-9a-f]{64})\n"))
                .match(init.out);
        QVERIFY2(fingerprint.hasMatch(), qPrintable(init.out));
        QString error;
        const std::optional<TlsIdentity> identity = TlsIdentity::load(
            data + QStringLiteral("/identity.key"), data + QStringLiteral("/identity.crt"), &error);
        QVERIFY2(identity, qPrintable(error));
        QCOMPARE(spkiSha256(identity->certificate), fingerprint.captured(1));
        // Nothing the core writes is readable by other users.
        for (const char *file : {"/prophasis.db", "/core.json", "/secrets.key", "/identity.key"})
            QCOMPARE(QFile::permissions(data + QLatin1String(file)) &
                         (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteOther),
                     QFileDevice::Permissions());

        // Running init again keeps the admin and the data.
        const Run again = run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out.contains(QStringLiteral("An admin exists already")));
        // ... and the key every agent has pinned.
        QVERIFY2(again.out.contains(fingerprint.captured(1) + QStringLiteral(" (kept)")),
                 qPrintable(again.out));

        QString log;
        QVERIFY2(runUntilSignal(core, coreRun(data), QStringLiteral("core running"), SIGTERM, &log) == 0,
                 qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("signal 15 received")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("engine stopped")), qPrintable(log));
        QVERIFY2(runUntilSignal(core, coreRun(data), QStringLiteral("core running"), SIGINT, &log) == 0,
                 qPrintable(log));
    }

    void coreServesHealthzAndTellsSystemd()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("core"));
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data}).exitCode, 0);
        test::NotifySocket systemd(dir.filePath(QStringLiteral("notify.sock")));
        QVERIFY(systemd.isBound());
        const quint16 port = freeLoopbackPort();
        QVERIFY(port != 0);

        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("NOTIFY_SOCKET"), QString::fromLocal8Bit(systemd.name()));
        environment.insert(QStringLiteral("WATCHDOG_USEC"), QStringLiteral("2000000")); // a ping every second
        process.setProcessEnvironment(environment);
        process.start(core,
                      {QStringLiteral("run"), QStringLiteral("--data-dir"), data, QStringLiteral("--listen"),
                       QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QString::number(port)});
        QVERIFY(process.waitForStarted());

        QList<QByteArray> before;
        const std::optional<QByteArray> ready = systemd.receiveContaining("READY=1", 30'000, &before);
        QString output = QString::fromUtf8(process.readAll());
        QVERIFY2(ready, qPrintable(output));
        QVERIFY2(ready->contains("STATUS=running: 0 hosts, 0 series"), ready->constData());
        QVERIFY(before.contains(QByteArray("STATUS=waiting for the database")));

        const test::HttpsAnswer healthz =
            test::httpsRequest(QHostAddress::LocalHost, port, "GET", "/healthz");
        QVERIFY2(healthz.status == 200, qPrintable(healthz.error + QString::fromUtf8(healthz.body)));
        QCOMPARE(healthz.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        const QJsonObject components = healthz.json().value(QStringLiteral("components")).toObject();
        for (const char *component : {"database", "engine", "scheduler", "event_loop", "classifier"})
            QVERIFY2(components.value(QLatin1String(component)).toObject().value(QStringLiteral("status")) ==
                         QStringLiteral("ok"),
                     component);
        // By default the port presents the core's own identity.
        QCOMPARE(healthz.peerCertificate,
                 QSslCertificate::fromPath(data + QStringLiteral("/identity.crt")).value(0));
        QCOMPARE(test::httpsRequest(QHostAddress::LocalHost, port, "GET", "/no/such/path").status, 404);

        QVERIFY2(systemd.receiveContaining("WATCHDOG=1", 10'000), "no watchdog ping");
        QCOMPARE(terminate(process, &output), 0);
        QVERIFY2(systemd.receiveContaining("STOPPING=1", 10'000), qPrintable(output));
    }

    void coreServesTheManagementApi()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("core"));
        QFile password(dir.filePath(QStringLiteral("password")));
        QVERIFY(password.open(QIODevice::WriteOnly));
        password.write("the first admin's password\n");
        password.close();
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data,
                            QStringLiteral("--admin-password-file"), password.fileName()})
                     .exitCode,
                 0);
        const quint16 port = freeLoopbackPort();
        const quint16 statusPort = freeLoopbackPort();
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(core, coreRun(data, {QStringLiteral("--port"), QString::number(port),
                                           QStringLiteral("--status-listen"),
                                           QStringLiteral("127.0.0.1:%1").arg(statusPort)}));
        QVERIFY(process.waitForStarted());
        const auto call = [&](const QByteArray &method, const QByteArray &target, const QByteArray &token,
                              const QJsonObject &body) {
            QList<std::pair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}};
            if (!token.isEmpty())
                headers.append({"Authorization", "Bearer " + token});
            return test::httpsRequest(QHostAddress::LocalHost, port, method, target, 10'000, headers,
                                      body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson());
        };
        test::HttpsAnswer login;
        QTRY_VERIFY_WITH_TIMEOUT(
            (login = call("POST", "/api/v1/session", {},
                          {{QStringLiteral("username"), QStringLiteral("admin")},
                           {QStringLiteral("password"), QStringLiteral("the first admin's password")}}))
                    .status == 200,
            30'000);
        const QByteArray token = login.json().value(QStringLiteral("token")).toString().toLatin1();
        QVERIFY(!token.isEmpty());
        QCOMPARE(
            login.json().value(QStringLiteral("user")).toObject().value(QStringLiteral("role")).toString(),
            QStringLiteral("admin"));
        const test::HttpsAnswer created = call("POST", "/api/v1/hosts", token,
                                               {{QStringLiteral("name"), QStringLiteral("web1")},
                                                {QStringLiteral("address"), QStringLiteral("127.0.0.1")}});
        QVERIFY2(created.status == 201, created.body.constData());
        const test::HttpsAnswer hosts = call("GET", "/api/v1/hosts", token, {});
        QCOMPARE(hosts.status, 200);
        QCOMPARE(QJsonDocument::fromJson(hosts.body).array().size(), 1);
        QCOMPARE(call("GET", "/api/v1/hosts", {}, {}).status, 401);

        // The configuration as one document, and its import as a dry run: nothing changes.
        const test::HttpsAnswer exported = call("GET", "/api/v1/config", token, {});
        QCOMPARE(exported.status, 200);
        const QJsonObject document = exported.json();
        QCOMPARE(document.value(QStringLiteral("format")).toString(), QStringLiteral("prophasis-config"));
        QCOMPARE(document.value(QStringLiteral("hosts")).toArray().size(), 1);
        const test::HttpsAnswer plan = call("PUT", "/api/v1/config?dry_run=1", token, document);
        QCOMPARE(plan.status, 200);
        QVERIFY2(plan.json().value(QStringLiteral("valid")).toBool(), plan.body.constData());
        // /metrics for Prometheus, with a token only.
        const test::HttpsAnswer metrics = call("GET", "/metrics", token, {});
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.header("Content-Type").startsWith("text/plain; version=0.0.4"));
        QVERIFY2(metrics.body.contains("prophasis_build_info{version=\""),
                 metrics.body.left(400).constData());
        QVERIFY(metrics.body.contains("prophasis_hosts{state=\"no_data\"} 1"));
        QCOMPARE(call("GET", "/metrics", {}, {}).status, 401);
        // "Check now" on a host no check runs on says so.
        const QString hostId = created.json().value(QStringLiteral("id")).toString();
        QCOMPARE(call("POST", ("/api/v1/hosts/" + hostId + "/check-now").toUtf8(), token, {}).status, 404);
        // The API describes itself; the status page asks for a login, on the main port and on its
        // own listener, which serves nothing else.
        QCOMPARE(call("GET", "/api/v1/openapi.json", {}, {}).status, 200);
        QCOMPARE(call("GET", "/status", {}, {}).status, 303);
        const auto statusCall = [&](const QByteArray &target) {
            return test::httpsRequest(QHostAddress::LocalHost, statusPort, "GET", target, 10'000);
        };
        QCOMPARE(statusCall("/status").status, 303);
        QCOMPARE(statusCall("/status/login").status, 200);
        QCOMPARE(statusCall("/api/v1/hosts").status, 404);
        QString output;
        QCOMPARE(terminate(process, &output), 0);
    }

    void coreReloadsItsCertificateOnSighup()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("core"));
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data}).exitCode, 0);
        const QString keyFile = dir.filePath(QStringLiteral("https.key"));
        const QString certificateFile = dir.filePath(QStringLiteral("https.crt"));
        const TlsIdentity first = TlsIdentity::generate(QStringLiteral("status.example"));
        QString error;
        QVERIFY2(first.save(keyFile, certificateFile, &error), qPrintable(error));

        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(core, coreRun(data, {QStringLiteral("--tls-cert"), certificateFile,
                                           QStringLiteral("--tls-key"), keyFile}));
        QVERIFY(process.waitForStarted());
        QString output;
        QVERIFY2(waitForLog(process, QStringLiteral("core running"), &output), qPrintable(output));
        const quint16 port = listeningPort(output);
        QVERIFY2(port != 0, qPrintable(output));
        QCOMPARE(test::httpsRequest(QHostAddress::LocalHost, port, "GET", "/healthz").peerCertificate,
                 first.certificate);

        const TlsIdentity second = TlsIdentity::generate(QStringLiteral("status.example"));
        QVERIFY2(second.save(keyFile, certificateFile, &error), qPrintable(error));
        ::kill(pid_t(process.processId()), SIGHUP);
        QVERIFY2(waitForLog(process, QStringLiteral("certificate reloaded"), &output), qPrintable(output));
        QCOMPARE(test::httpsRequest(QHostAddress::LocalHost, port, "GET", "/healthz").peerCertificate,
                 second.certificate);

        // A broken renewal keeps the certificate being served.
        QFile broken(certificateFile);
        QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
        broken.write("-----BEGIN CERTIFICATE-----\nnot really\n");
        broken.close();
        ::kill(pid_t(process.processId()), SIGHUP);
        QVERIFY2(waitForLog(process, QStringLiteral("keeping the current certificate"), &output),
                 qPrintable(output));
        QCOMPARE(test::httpsRequest(QHostAddress::LocalHost, port, "GET", "/healthz").peerCertificate,
                 second.certificate);
        QCOMPARE(terminate(process, &output), 0);
    }

    void coreRunOptionsAreChecked_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("status listener name")
            << QStringList{QStringLiteral("--status-listen"), QStringLiteral("localhost:8080")}
            << "ADDR:PORT";
        QTest::newRow("status listener port")
            << QStringList{QStringLiteral("--status-listen"), QStringLiteral("127.0.0.1")} << "ADDR:PORT";
        QTest::newRow("certificate alone")
            << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent.crt")} << "together";
        QTest::newRow("listen name") << QStringList{QStringLiteral("--listen"), QStringLiteral("localhost")}
                                     << "--listen must be an IP address";
        QTest::newRow("port range") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                                    << "--port";
        QTest::newRow("certificate missing")
            << QStringList{QStringLiteral("--listen"),   QStringLiteral("127.0.0.1"),
                           QStringLiteral("--port"),     QStringLiteral("0"),
                           QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent.crt"),
                           QStringLiteral("--tls-key"),  QStringLiteral("/nonexistent.key")}
            << "/nonexistent.key";
    }

    void coreRunOptionsAreChecked()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path()}).exitCode, 0);
        const Run refused = run(
            core, QStringList{QStringLiteral("run"), QStringLiteral("--data-dir"), dir.path()} + arguments);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(expected), qPrintable(refused.err));
    }

    void corePortTakenFailsAtOnce()
    {
        QTemporaryDir dir;
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path()}).exitCode, 0);
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost));
        const Run refused = run(core, {QStringLiteral("run"), QStringLiteral("--data-dir"), dir.path(),
                                       QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                                       QStringLiteral("--port"), QString::number(holder.serverPort())});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("cannot listen")), qPrintable(refused.err));
    }

    void coreErrorsAreClear()
    {
        QTemporaryDir dir;
        const Run noDataDir = run(core, {QStringLiteral("init")});
        QCOMPARE(noDataDir.exitCode, 1);
        QVERIFY(noDataDir.err.contains(QStringLiteral("--data-dir")));

        const Run notInitialised =
            run(core, {QStringLiteral("run"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(notInitialised.exitCode, 1);
        QVERIFY2(notInitialised.err.contains(QStringLiteral("prophasis-core init")),
                 qPrintable(notInitialised.err));

        const Run badUrl = run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"),
                                      dir.filePath(QStringLiteral("a")), QStringLiteral("--database"),
                                      QStringLiteral("mysql://root@localhost/x")});
        QCOMPARE(badUrl.exitCode, 1);
        QVERIFY2(badUrl.err.contains(QStringLiteral("not a database URL")), qPrintable(badUrl.err));

        // Nothing listens on this loopback port: a clear error within the connect timeout.
        const Run unreachable = run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"),
                                           dir.filePath(QStringLiteral("b")), QStringLiteral("--database"),
                                           QStringLiteral("postgresql://nobody@127.0.0.1:1/x")});
        QCOMPARE(unreachable.exitCode, 1);
        QVERIFY2(unreachable.err.contains(QStringLiteral("cannot open the database")),
                 qPrintable(unreachable.err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("b/core.json"))));

        QFile shortPassword(dir.filePath(QStringLiteral("password")));
        QVERIFY(shortPassword.open(QIODevice::WriteOnly));
        shortPassword.write("too short\n");
        shortPassword.close();
        const Run weak = run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"),
                                    dir.filePath(QStringLiteral("c")),
                                    QStringLiteral("--admin-password-file"), shortPassword.fileName()});
        QCOMPARE(weak.exitCode, 1);
        QVERIFY(weak.err.contains(QStringLiteral("shorter than 12")));
    }

    void coreRetentionIsReadAndChecked()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("core"));
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data}).exitCode, 0);
        QJsonObject json = readJson(data + QStringLiteral("/core.json"));
        // init writes the defaults, so an admin sees what to change.
        QCOMPARE(json.value(QStringLiteral("retention_raw_days")).toInt(), 30);
        QCOMPARE(json.value(QStringLiteral("retention_rollup_days")).toInt(), 731);
        json.insert(QStringLiteral("retention_raw_days"), 90);
        json.insert(QStringLiteral("retention_rollup_days"), 60);
        writeJson(data + QStringLiteral("/core.json"), json);
        const Run refused = run(core, coreRun(data));
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(
                     QStringLiteral("retention_rollup_days: must not be shorter than retention_raw_days")),
                 qPrintable(refused.err));
    }

    void coreDeadMansSwitchPingsWhileHealthy()
    {
        // The third party: an HTTPS listener with its own certificate, trusted through ca_file.
        QTemporaryDir dir;
        const TlsIdentity listener =
            TlsIdentity::generate(QStringLiteral("dms.test"), {QStringLiteral("127.0.0.1")});
        const QString caFile = dir.filePath(QStringLiteral("dms.crt"));
        QFile ca(caFile);
        QVERIFY(ca.open(QIODevice::WriteOnly));
        ca.write(listener.certificate.toPem());
        ca.close();
        HttpsServerConfig serverConfig;
        serverConfig.address = QHostAddress::LocalHost;
        serverConfig.identity = listener;
        HttpsServer server(serverConfig);
        QList<QByteArray> pings;
        server.setHandler([&pings](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
            pings.append(request.method + ' ' + request.target + ' ' + request.body);
            responder.send(HttpResponse::json(200, QJsonObject{{QStringLiteral("ok"), true}}));
        });
        QString error;
        QVERIFY2(server.listen(&error), qPrintable(error));

        const QString data = dir.filePath(QStringLiteral("core"));
        QCOMPARE(run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data}).exitCode, 0);
        QJsonObject json = readJson(data + QStringLiteral("/core.json"));
        json.insert(QStringLiteral("dead_mans_switch"),
                    QJsonObject{{QStringLiteral("url"),
                                 QStringLiteral("https://127.0.0.1:%1/ping/abc").arg(server.serverPort())},
                                {QStringLiteral("interval_s"), 10},
                                {QStringLiteral("ca_file"), caFile}});
        writeJson(data + QStringLiteral("/core.json"), json);

        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(core, coreRun(data));
        QVERIFY(process.waitForStarted());
        // The first ping goes out once the engine runs.
        QTRY_VERIFY_WITH_TIMEOUT(!pings.isEmpty(), 30'000);
        QVERIFY2(pings.first().startsWith("POST /ping/abc "), pings.first().constData());
        QString output;
        QCOMPARE(terminate(process, &output), 0);

        // A switch configured wrongly stops the core at start, saying which key.
        json.insert(QStringLiteral("dead_mans_switch"),
                    QJsonObject{{QStringLiteral("url"), QStringLiteral("ftp://example.invalid/")}});
        writeJson(data + QStringLiteral("/core.json"), json);
        const Run refused = run(core, coreRun(data));
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("dead_mans_switch.url")), qPrintable(refused.err));
        // So does a status page setting that is not a yes or no.
        json.remove(QStringLiteral("dead_mans_switch"));
        json.insert(QStringLiteral("status_page"),
                    QJsonObject{{QStringLiteral("anonymous"), QStringLiteral("maybe")}});
        writeJson(data + QStringLiteral("/core.json"), json);
        const Run refusedStatus = run(core, coreRun(data));
        QCOMPARE(refusedStatus.exitCode, 1);
        QVERIFY2(refusedStatus.err.contains(QStringLiteral("status_page.anonymous")),
                 qPrintable(refusedStatus.err));
    }

    void coreOnPostgres()
    {
        const QByteArray urlFile = qgetenv("PROPHASIS_TEST_PG_URL_FILE");
        if (urlFile.isEmpty())
            QSKIP("no PostgreSQL test cluster (CTest starts one for the cli tests)");
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("core"));
        QFile password(dir.filePath(QStringLiteral("password")));
        QVERIFY(password.open(QIODevice::WriteOnly));
        password.write("a-long-admin-password\n");
        password.close();
        // The URL from a file, as an admin keeping passwords out of `ps` would.
        const Run init = run(core, {QStringLiteral("init"), QStringLiteral("--data-dir"), data,
                                    QStringLiteral("--database-url-file"), QString::fromLocal8Bit(urlFile),
                                    QStringLiteral("--admin-password-file"), password.fileName()});
        QVERIFY2(init.exitCode == 0, qPrintable(init.err));
        QVERIFY2(init.out.contains(QStringLiteral("postgresql://")), qPrintable(init.out));
        QVERIFY(!QFile::exists(data + QStringLiteral("/prophasis.db")));
        QString log;
        QVERIFY2(runUntilSignal(core, coreRun(data), QStringLiteral("core running"), SIGTERM, &log) == 0,
                 qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("postgresql://")), qPrintable(log));

        // The database is not there (yet): the core waits for it instead of giving up, and a
        // signal still stops it cleanly.
        QJsonObject settings = readJson(data + QStringLiteral("/core.json"));
        settings.remove(QStringLiteral("database_url_file"));
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        settings.insert(QStringLiteral("database_url"),
                        QStringLiteral("postgresql://postgres@127.0.0.1:%1/prophasis_test").arg(closedPort));
        writeJson(data + QStringLiteral("/core.json"), settings);
        QVERIFY2(runUntilSignal(core, coreRun(data), QStringLiteral("trying again in"), SIGTERM, &log) == 0,
                 qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("waiting for the database")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("received while waiting for the database")), qPrintable(log));
        QVERIFY2(!log.contains(QStringLiteral("core running")), qPrintable(log));
    }

    void agentInitAndRun()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("agent"));
        const Run init = run(agent, {QStringLiteral("init"), QStringLiteral("--config-dir"), config,
                                     QStringLiteral("--port"), QStringLiteral("14048"),
                                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                                     QStringLiteral("--signatures"), QStringLiteral("enforce")});
        QVERIFY2(init.exitCode == 0, qPrintable(init.err));
        // The last line is the enrollment string, and it names this agent's key and address.
        QString error;
        const std::optional<EnrollmentString> enrollment =
            EnrollmentString::decode(init.out.trimmed().section(u'\n', -1), &error);
        QVERIFY2(enrollment, qPrintable(error));
        QCOMPARE(enrollment->host, QStringLiteral("127.0.0.1"));
        QCOMPARE(enrollment->port, quint16(14048));
        QCOMPARE(enrollment->spkiSha256,
                 spkiSha256(QSslCertificate::fromPath(config + QStringLiteral("/agent.crt")).value(0)));
        QFile key(config + QStringLiteral("/agent.key"));
        QCOMPARE(key.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());

        // init again refuses to replace the key; new-token issues a fresh string for the same key.
        const Run again = run(agent, {QStringLiteral("init"), QStringLiteral("--config-dir"), config});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains(QStringLiteral("new-token")));
        const Run fresh = run(agent, {QStringLiteral("new-token"), QStringLiteral("--config-dir"), config});
        QCOMPARE(fresh.exitCode, 0);
        const std::optional<EnrollmentString> second =
            EnrollmentString::decode(fresh.out.trimmed().section(u'\n', -1), &error);
        QVERIFY2(second, qPrintable(error));
        QCOMPARE(second->spkiSha256, enrollment->spkiSha256);
        QVERIFY(second->token != enrollment->token);
        QFile file(config + QStringLiteral("/agent.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray json = file.readAll();
        QVERIFY(json.contains("14048"));
        QVERIFY(json.contains("enforce"));
        // Only the new token's hash is kept; neither token itself.
        QVERIFY(json.contains(pairingTokenHash(second->token).toLatin1()));
        QVERIFY(!json.contains(second->token.toLatin1()));
        QVERIFY(!json.contains(enrollment->token.toLatin1()));
        QString log;
        QCOMPARE(runUntilSignal(agent, {QStringLiteral("run"), QStringLiteral("--config-dir"), config},
                                QStringLiteral("agent running"), SIGTERM, &log),
                 0);
    }

    void agentErrorsAreClear_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("port zero") << QStringList{QStringLiteral("--port"), QStringLiteral("0")} << "--port";
        QTest::newRow("port text") << QStringList{QStringLiteral("--port"), QStringLiteral("http")}
                                   << "--port";
        QTest::newRow("listen name") << QStringList{QStringLiteral("--listen"), QStringLiteral("localhost")}
                                     << "--listen";
        QTest::newRow("advertise") << QStringList{QStringLiteral("--advertise"), QStringLiteral("not a host")}
                                   << "--advertise";
        QTest::newRow("signatures") << QStringList{QStringLiteral("--signatures"), QStringLiteral("maybe")}
                                    << "off, verify-if-present, enforce";
    }

    void agentErrorsAreClear()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const Run init =
            run(agent,
                QStringList{QStringLiteral("init"), QStringLiteral("--config-dir"), dir.path()} + arguments);
        QCOMPARE(init.exitCode, 1);
        QVERIFY2(init.err.contains(expected), qPrintable(init.err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("agent.json"))));

        const Run notInitialised =
            run(agent, {QStringLiteral("run"), QStringLiteral("--config-dir"), dir.path()});
        QCOMPARE(notInitialised.exitCode, 1);
        QVERIFY(notInitialised.err.contains(QStringLiteral("prophasis-agent init")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
